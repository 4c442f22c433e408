#pragma once

#include "server/serverconfig.h"

class QTcpServer;
class QObject;

// Creates the TCP server a room listens on: plain, or TLS (wss://) when the config asks
// for it. On failure returns nullptr and sets *error to a sentence for people.
// The TLS one is a QSslServer, which hands out a socket only once its handshake is done
// (or drops it after the handshake timeout), so the room only ever sees encrypted peers.
QTcpServer *createListener(const ServerConfig &config, QObject *parent, QString *error);

// Whether the config asks for wss:// (a certificate and key, or a self-signed one).
bool isTlsRequested(const ServerConfig &config);
// Whether a listener made by createListener() speaks TLS.
bool isTlsListener(const QTcpServer *listener);
