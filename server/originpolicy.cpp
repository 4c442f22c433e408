#include "server/originpolicy.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QNetworkInterface>
#include <QUrl>

OriginPolicy::OriginPolicy(const QStringList &allowed, quint16 roomPort) : m_port(roomPort)
{
    for (const QString &origin : allowed)
        m_allowed.append(normalise(origin));
}

QString OriginPolicy::normalise(const QString &origin)
{
    const QString trimmed = origin.trimmed();
    if (trimmed == QLatin1String("*") || trimmed == QLatin1String("null"))
        return trimmed;
    const QUrl url(trimmed);
    if (!url.isValid() || url.host().isEmpty())
        return trimmed.toLower();
    const QString scheme = url.scheme().toLower();
    const int defaultPort = scheme == QLatin1String("https") ? 443 : 80;
    const int port = url.port(defaultPort);
    QString result = scheme + QStringLiteral("://") + url.host().toLower();
    if (port != defaultPort)
        result += QStringLiteral(":%1").arg(port);
    return result;
}

bool OriginPolicy::allows(const QString &origin) const
{
    if (origin.isEmpty())
        return true;
    if (m_allowed.contains(QLatin1String("*")))
        return true;
    const QString normalised = normalise(origin);
    if (m_allowed.contains(normalised))
        return true;
    return normalised != QLatin1String("null") && isOwnPage(origin);
}

bool OriginPolicy::isOwnPage(const QString &origin) const
{
    const QUrl url(origin.trimmed());
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return false;
    if (url.port(scheme == QLatin1String("https") ? 443 : 80) != m_port)
        return false;
    const QString host = url.host().toLower();
    if (host == QLatin1String("localhost"))
        return true;
    const QString machine = QHostInfo::localHostName().toLower();
    if (!machine.isEmpty()
        && (host == machine || host == machine + QLatin1String(".local")
            || host.startsWith(machine + QLatin1Char('.'))))
        return true;
    QHostAddress address;
    if (!address.setAddress(host))
        return false;
    if (address.isLoopback())
        return true;
    const QList<QHostAddress> local = QNetworkInterface::allAddresses();
    for (const QHostAddress &a : local) {
        if (a.isEqual(address, QHostAddress::TolerantConversion))
            return true;
    }
    return false;
}
