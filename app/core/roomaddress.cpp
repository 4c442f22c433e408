#include "app/core/roomaddress.h"

#include "common/protocol.h"

#include <QCoreApplication>

namespace RoomAddress {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("RoomAddress", text);
}
} // namespace

Parsed parse(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return { {},
                 tr("Enter the room's address, such as 192.168.1.20 or ws://192.168.1.20:%1.")
                     .arg(Confab::Protocol::DefaultPort) };
    // "host" and "host:port" are how people say it; QUrl needs a scheme to see a host.
    const QString withScheme =
        trimmed.contains(QLatin1String("://")) ? trimmed : QStringLiteral("ws://") + trimmed;
    QUrl url(withScheme, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return { {}, tr("\"%1\" is not a room address; try something like 192.168.1.20 or "
                        "ws://192.168.1.20:%2.")
                         .arg(trimmed)
                         .arg(Confab::Protocol::DefaultPort) };
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))
        return { {}, tr("A room address starts with ws:// or wss://, not %1://.").arg(url.scheme()) };
    if (url.port() == 0)
        return { {}, tr("The port must be a number from 1 to 65535.") };
    if (url.port() < 0)
        url.setPort(Confab::Protocol::DefaultPort);
    url.setScheme(scheme);
    return { url, {} };
}

} // namespace RoomAddress
