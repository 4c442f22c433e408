#include "server/serveroptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>

namespace ServerOptions {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ServerOptions", text);
}
} // namespace

void addTo(QCommandLineParser &parser)
{
    parser.addOptions({
        { QStringLiteral("port"),
          tr("Port to listen on (default %1; 0 picks a free one).").arg(Confab::Protocol::DefaultPort),
          tr("N") },
        { QStringLiteral("bind"), tr("Address to listen on (default: all)."), tr("ADDR") },
        { QStringLiteral("room"), tr("The room's name."), tr("NAME") },
        { QStringLiteral("data-dir"), tr("Where the room keeps its history."), tr("DIR") },
        { QStringLiteral("history-limit"),
          tr("Messages kept in history (default %1).").arg(Confab::Limits::DefaultHistoryLimit),
          tr("N") },
    });
}

Parsed read(const QCommandLineParser &parser)
{
    Parsed p;
    if (parser.isSet(QStringLiteral("port"))) {
        bool ok = false;
        const uint port = parser.value(QStringLiteral("port")).toUInt(&ok);
        if (!ok || port > 65535) {
            p.error = tr("--port takes a number from 0 to 65535, not \"%1\".")
                          .arg(parser.value(QStringLiteral("port")));
            return p;
        }
        p.config.port = quint16(port);
    }
    if (parser.isSet(QStringLiteral("bind"))) {
        const QString text = parser.value(QStringLiteral("bind"));
        QHostAddress address;
        if (text == QLatin1String("localhost"))
            address = QHostAddress::LocalHost;
        else if (!address.setAddress(text)) {
            p.error = tr("--bind takes an IP address such as 0.0.0.0 or 127.0.0.1, not \"%1\".")
                          .arg(text);
            return p;
        }
        p.config.bindAddress = address;
    }
    if (parser.isSet(QStringLiteral("room"))) {
        const QString room = parser.value(QStringLiteral("room")).trimmed();
        if (room.isEmpty() || room.size() > Confab::Limits::MaxRoomNameLength) {
            p.error = tr("--room takes a name of 1 to %1 characters.")
                          .arg(Confab::Limits::MaxRoomNameLength);
            return p;
        }
        p.config.roomName = room;
    }
    if (parser.isSet(QStringLiteral("data-dir")))
        p.config.dataDir = parser.value(QStringLiteral("data-dir"));
    if (parser.isSet(QStringLiteral("history-limit"))) {
        bool ok = false;
        const int limit = parser.value(QStringLiteral("history-limit")).toInt(&ok);
        if (!ok || limit < 1) {
            p.error = tr("--history-limit takes a number of messages, at least 1.");
            return p;
        }
        p.config.historyLimit = limit;
    }
    return p;
}

} // namespace ServerOptions
