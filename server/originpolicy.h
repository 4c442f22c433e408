#pragma once

#include <QStringList>

// Which web pages may open a WebSocket to the room. A handshake without an Origin header
// comes from a program, not a page, and is allowed. A page is allowed when it is the room's
// own (served from this machine on the room's port), or listed with --allow-origin
// ("*" allows any page, "null" pages opened from files). Otherwise any web site open in a
// browser on the LAN could read the room.
class OriginPolicy final
{
public:
    OriginPolicy(const QStringList &allowed, quint16 roomPort);

    bool allows(const QString &origin) const;
    static QString normalise(const QString &origin);

private:
    bool isOwnPage(const QString &origin) const;

    QStringList m_allowed; // normalised
    quint16 m_port;
};
