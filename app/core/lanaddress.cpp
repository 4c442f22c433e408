#include "app/core/lanaddress.h"

#include <QNetworkInterface>

namespace LanAddress {

QHostAddress firstIPv4()
{
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const auto flags = interface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp) || !flags.testFlag(QNetworkInterface::IsRunning)
            || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const QList<QNetworkAddressEntry> entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            const QHostAddress ip = entry.ip();
            if (ip.protocol() == QAbstractSocket::IPv4Protocol && !ip.isLoopback())
                return ip;
        }
    }
    return QHostAddress(QHostAddress::LocalHost);
}

namespace {

bool isWildcard(const QHostAddress &address)
{
    return address == QHostAddress(QHostAddress::Any)
        || address == QHostAddress(QHostAddress::AnyIPv4)
        || address == QHostAddress(QHostAddress::AnyIPv6);
}

QUrl wsUrl(const QHostAddress &host, quint16 port)
{
    QUrl url;
    url.setScheme(QStringLiteral("ws"));
    url.setHost(host.toString());
    url.setPort(port);
    return url;
}

} // namespace

QUrl roomUrl(const QHostAddress &bound, quint16 port)
{
    return wsUrl(isWildcard(bound) ? firstIPv4() : bound, port);
}

QUrl localUrl(const QHostAddress &bound, quint16 port)
{
    if (bound == QHostAddress(QHostAddress::AnyIPv6))
        return wsUrl(QHostAddress(QHostAddress::LocalHostIPv6), port);
    return wsUrl(isWildcard(bound) ? QHostAddress(QHostAddress::LocalHost) : bound, port);
}

} // namespace LanAddress
