#include "app/ui/settings.h"

#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace {
const QString NickKey = QStringLiteral("nick");
const QString LastPageKey = QStringLiteral("start/lastPage");
const QString RecentRoomsKey = QStringLiteral("recentRooms");
const QString RecentUrlKey = QStringLiteral("url");
const QString RecentNameKey = QStringLiteral("name");
const QString GeometryKey = QStringLiteral("chatWindow/geometry");
const QString SplitterKey = QStringLiteral("chatWindow/splitter");
// The same key app/core/translations.cpp reads at start-up.
const QString LanguageKey = QStringLiteral("ui/language");
const QString MutedKey = QStringLiteral("notifications/muted");
const QString DownloadsKey = QStringLiteral("files/downloadDirectory");
} // namespace

Settings::Settings()
    : m_settings(std::make_unique<QSettings>())
{ }

Settings::Settings(const QString &iniFile)
    : m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat))
{ }

Settings::~Settings() = default;

QString Settings::nick() const
{
    return m_settings->value(NickKey).toString();
}

void Settings::setNick(const QString &nick)
{
    m_settings->setValue(NickKey, nick);
}

QString Settings::lastPage() const
{
    return m_settings->value(LastPageKey, QStringLiteral("host")).toString();
}

void Settings::setLastPage(const QString &page)
{
    m_settings->setValue(LastPageKey, page);
}

QList<Settings::RecentRoom> Settings::recentRooms() const
{
    QList<RecentRoom> rooms;
    const int count = m_settings->beginReadArray(RecentRoomsKey);
    for (int i = 0; i < count && rooms.size() < MaxRecentRooms; ++i) {
        m_settings->setArrayIndex(i);
        const QUrl url(m_settings->value(RecentUrlKey).toString());
        // A hand-edited file may hold anything; what cannot be joined is not offered.
        if (!url.isValid() || url.host().isEmpty())
            continue;
        rooms.append({ url, m_settings->value(RecentNameKey).toString() });
    }
    m_settings->endArray();
    return rooms;
}

void Settings::addRecentRoom(const QUrl &url, const QString &name)
{
    QList<RecentRoom> rooms = recentRooms();
    RecentRoom entry { url, name };
    for (auto it = rooms.begin(); it != rooms.end();) {
        if (it->url == url) {
            if (entry.name.isEmpty())
                entry.name = it->name;
            it = rooms.erase(it);
        } else {
            ++it;
        }
    }
    rooms.prepend(entry);
    rooms = rooms.mid(0, MaxRecentRooms);
    m_settings->remove(RecentRoomsKey);
    m_settings->beginWriteArray(RecentRoomsKey, int(rooms.size()));
    for (int i = 0; i < rooms.size(); ++i) {
        m_settings->setArrayIndex(i);
        m_settings->setValue(RecentUrlKey, rooms.at(i).url.toString());
        m_settings->setValue(RecentNameKey, rooms.at(i).name);
    }
    m_settings->endArray();
}

void Settings::clearRecentRooms()
{
    m_settings->remove(RecentRoomsKey);
}

QByteArray Settings::chatWindowGeometry() const
{
    return m_settings->value(GeometryKey).toByteArray();
}

void Settings::setChatWindowGeometry(const QByteArray &geometry)
{
    m_settings->setValue(GeometryKey, geometry);
}

QByteArray Settings::chatSplitterState() const
{
    return m_settings->value(SplitterKey).toByteArray();
}

void Settings::setChatSplitterState(const QByteArray &state)
{
    m_settings->setValue(SplitterKey, state);
}

QString Settings::language() const
{
    const QString language = m_settings->value(LanguageKey).toString();
    return languages().contains(language) ? language : QStringLiteral("system");
}

void Settings::setLanguage(const QString &language)
{
    m_settings->setValue(LanguageKey,
                         languages().contains(language) ? language : QStringLiteral("system"));
}

bool Settings::notificationsMuted() const
{
    return m_settings->value(MutedKey, false).toBool();
}

void Settings::setNotificationsMuted(bool muted)
{
    m_settings->setValue(MutedKey, muted);
}

QString Settings::defaultDownloadDirectory()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    return dir.isEmpty() ? QDir::homePath() : dir;
}

QString Settings::downloadDirectory() const
{
    const QString dir = m_settings->value(DownloadsKey).toString();
    return dir.isEmpty() ? defaultDownloadDirectory() : dir;
}

void Settings::setDownloadDirectory(const QString &directory)
{
    if (directory.isEmpty() || directory == defaultDownloadDirectory())
        m_settings->remove(DownloadsKey);
    else
        m_settings->setValue(DownloadsKey, directory);
}

void Settings::sync()
{
    m_settings->sync();
}
