#pragma once

#include <QHostAddress>
#include <QUrl>

// The address others on the LAN should type to reach a room hosted on this machine.
namespace LanAddress {

// The first IPv4 address of an interface that is up and not loopback; 127.0.0.1 if none.
QHostAddress firstIPv4();

// ws://ADDRESS:PORT for a room listening on `bound` (a wildcard address means: the LAN one).
QUrl roomUrl(const QHostAddress &bound, quint16 port);

// ws://ADDRESS:PORT for this machine's own window to join a room listening on `bound`:
// loopback for a wildcard address, else the bound address itself.
QUrl localUrl(const QHostAddress &bound, quint16 port);

} // namespace LanAddress
