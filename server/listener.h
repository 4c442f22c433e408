#pragma once

#include "server/serverconfig.h"

class QTcpServer;
class QObject;

// Creates the TCP server a room listens on: plain, or TLS (wss://) when the config asks
// for it. On failure returns nullptr and sets *error to a sentence for people.
QTcpServer *createListener(const ServerConfig &config, QObject *parent, QString *error);
