#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

#include <memory>

class QSettings;

// What the desktop program remembers between runs, in one place with typed accessors:
// the nickname, the rooms joined lately, the chat window's size and splitter positions,
// the interface language and whether notifications are muted. Backed by the application's
// QSettings (organisation and application names set in main.cpp), or by an INI file for
// tests and tools. Cheap to construct: every instance reads and writes the same store, so
// a class that needs one setting may make its own.
class Settings final
{
    Q_DISABLE_COPY_MOVE(Settings)

public:
    // A room joined before: where it is and what it was called then.
    struct RecentRoom
    {
        QUrl url;
        QString name; // empty when the room was left before it said its name
        friend bool operator==(const RecentRoom &, const RecentRoom &) = default;
    };
    static constexpr int MaxRecentRooms = 10;

    // The application's QSettings.
    Settings();
    // An INI file of its own (tests, tools).
    explicit Settings(const QString &iniFile);
    ~Settings();

    QString nick() const;
    void setNick(const QString &nick);

    // The start dialog's page last used: "host" or "join".
    QString lastPage() const;
    void setLastPage(const QString &page);

    // Most recent first, at most MaxRecentRooms, one entry per URL.
    QList<RecentRoom> recentRooms() const;
    // Puts `url` first (replacing an older entry for it). An empty name keeps the name
    // the older entry had.
    void addRecentRoom(const QUrl &url, const QString &name);
    void clearRecentRooms();

    // QWidget::saveGeometry() and QSplitter::saveState() of the chat window.
    QByteArray chatWindowGeometry() const;
    void setChatWindowGeometry(const QByteArray &geometry);
    QByteArray chatSplitterState() const;
    void setChatSplitterState(const QByteArray &state);

    // "system" (the default), "en" or "ko". Read at start-up: a change applies on the next
    // start.
    QString language() const;
    void setLanguage(const QString &language);
    static QStringList languages()
    {
        return { QStringLiteral("system"), QStringLiteral("en"), QStringLiteral("ko") };
    }

    // Desktop notifications for new messages: off when muted.
    bool notificationsMuted() const;
    void setNotificationsMuted(bool muted);

    // Where files from the room are saved: the user's Downloads folder unless chosen.
    QString downloadDirectory() const;
    void setDownloadDirectory(const QString &directory);
    static QString defaultDownloadDirectory();

    void sync();

private:
    std::unique_ptr<QSettings> m_settings;
};
