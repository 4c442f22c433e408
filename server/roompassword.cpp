#include "server/roompassword.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QFile>
#include <QPasswordDigestor>
#include <QRandomGenerator>

namespace {
constexpr int Iterations = 100000;
constexpr int HashBytes = 32;
} // namespace

QByteArray RoomPassword::derive(const QString &password, const QByteArray &salt)
{
    return QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toUtf8(), salt,
                                              Iterations, HashBytes);
}

RoomPassword RoomPassword::fromPlainText(const QString &password)
{
    RoomPassword p;
    if (password.isEmpty())
        return p;
    p.m_salt.resize(16);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(p.m_salt.data()), 4);
    p.m_hash = derive(password, p.m_salt);
    return p;
}

RoomPassword RoomPassword::fromFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QCoreApplication::translate("RoomPassword", "Cannot read the password file %1: %2")
                     .arg(path, file.errorString());
        return {};
    }
    QByteArray line = file.readLine(4096);
    while (line.endsWith('\n') || line.endsWith('\r'))
        line.chop(1);
    if (line.isEmpty()) {
        *error = QCoreApplication::translate("RoomPassword",
                                             "The password file %1 is empty; its first line is "
                                             "the room's password.")
                     .arg(path);
        return {};
    }
    return fromPlainText(QString::fromUtf8(line));
}

bool RoomPassword::matches(const QString &candidate) const
{
    if (!isSet())
        return true;
    const QByteArray hash = derive(candidate, m_salt);
    // Constant time: look at every byte whatever the first difference.
    unsigned char diff = hash.size() == m_hash.size() ? 0 : 1;
    for (qsizetype i = 0; i < qMin(hash.size(), m_hash.size()); ++i)
        diff |= static_cast<unsigned char>(hash.at(i) ^ m_hash.at(i));
    return diff == 0;
}
