#pragma once

#include <QByteArray>

class QTcpSocket;

// The room's port also answers plain HTTP, so that http://HOST:PORT/ opens the room's own
// web client in any browser. Only a handful of files, all from the binary's resources;
// everything else is 404. Each response closes the connection.
namespace WebPages {

// True when this request head (up to the blank line) asks for a WebSocket upgrade.
bool isWebSocketUpgrade(const QByteArray &head);

// Answers one request and closes the socket once the answer is written.
void respond(QTcpSocket *socket, const QByteArray &head);

} // namespace WebPages
