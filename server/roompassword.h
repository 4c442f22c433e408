#pragma once

#include <QByteArray>
#include <QString>

// A room password as the server keeps it: a random salt and a PBKDF2-SHA256 hash, never
// the password itself. Checking compares in constant time.
class RoomPassword final
{
public:
    RoomPassword() = default;
    static RoomPassword fromPlainText(const QString &password);
    // Reads the first line of FILE. On failure returns an unset password and sets *error.
    static RoomPassword fromFile(const QString &path, QString *error);

    bool isSet() const { return !m_hash.isEmpty(); }
    bool matches(const QString &candidate) const;

private:
    static QByteArray derive(const QString &password, const QByteArray &salt);

    QByteArray m_salt;
    QByteArray m_hash;
};
