#include "common/announcement.h"

#include "common/limits.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QUuid>

#include <cmath>

namespace Confab::Discovery {

namespace {

// A JSON number that is a whole number within [min, max].
std::optional<qint64> wholeNumber(const QJsonValue &value, qint64 min, qint64 max)
{
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (!std::isfinite(d) || d != std::floor(d) || d < double(min) || d > double(max))
        return std::nullopt;
    return qint64(d);
}

bool isPrintable(const QString &text)
{
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
            || c.isNonCharacter())
            return false;
    }
    return true;
}

} // namespace

QByteArray encode(const Announcement &a)
{
    QJsonObject o {
        { QStringLiteral("confab"), FormatVersion }, { QStringLiteral("roomId"), a.roomId },
        { QStringLiteral("room"), a.room },          { QStringLiteral("port"), int(a.port) },
        { QStringLiteral("version"), a.version },    { QStringLiteral("members"), a.members },
        { QStringLiteral("password"), a.password },  { QStringLiteral("tls"), a.tls },
    };
    if (a.closing)
        o.insert(QStringLiteral("closing"), true);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<Announcement> decode(const QByteArray &datagram)
{
    if (datagram.isEmpty() || datagram.size() > MaxDatagramBytes)
        return std::nullopt;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(datagram, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();

    if (wholeNumber(o.value(QLatin1String("confab")), FormatVersion, FormatVersion) == std::nullopt)
        return std::nullopt;
    Announcement a;
    const QJsonValue roomId = o.value(QLatin1String("roomId"));
    const QJsonValue room = o.value(QLatin1String("room"));
    if (!roomId.isString() || !room.isString())
        return std::nullopt;
    a.roomId = roomId.toString();
    a.room = room.toString().trimmed();
    if (!isValidRoomId(a.roomId) || a.room.isEmpty()
        || a.room.size() > Confab::Limits::MaxRoomNameLength || !isPrintable(a.room))
        return std::nullopt;

    const auto port = wholeNumber(o.value(QLatin1String("port")), 1, 65535);
    const auto version = wholeNumber(o.value(QLatin1String("version")), 1, 1000000);
    const auto members = wholeNumber(o.value(QLatin1String("members")), 0, MaxMembers);
    if (!port || !version || !members)
        return std::nullopt;
    a.port = quint16(*port);
    a.version = int(*version);
    a.members = int(*members);

    const QJsonValue password = o.value(QLatin1String("password"));
    const QJsonValue tls = o.value(QLatin1String("tls"));
    const QJsonValue closing = o.value(QLatin1String("closing"));
    if (!password.isBool() || !tls.isBool() || !(closing.isUndefined() || closing.isBool()))
        return std::nullopt;
    a.password = password.toBool();
    a.tls = tls.toBool();
    a.closing = closing.toBool(false);
    return a;
}

QString newRoomId()
{
    return QUuid::createUuid().toString(QUuid::Id128);
}

bool isValidRoomId(const QString &id)
{
    if (id.isEmpty() || id.size() > MaxRoomIdLength)
        return false;
    for (const QChar c : id) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z')
            || (u >= u'0' && u <= u'9') || u == u'-' || u == u'_';
        if (!ok)
            return false;
    }
    return true;
}

} // namespace Confab::Discovery
