#pragma once

// Starts a RoomServer on 127.0.0.1, port 0, with its history in a temporary directory.

#include "server/roomserver.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

struct ServerFixture
{
    QTemporaryDir dir;
    std::unique_ptr<RoomServer> server;

    bool start(ServerConfig config = {})
    {
        config.bindAddress = QHostAddress::LocalHost;
        if (config.port == Confab::Protocol::DefaultPort)
            config.port = 0;
        config.dataDir = dir.path();
        server = std::make_unique<RoomServer>(config);
        if (!server->start()) {
            qWarning("server did not start: %s", qPrintable(server->errorString()));
            return false;
        }
        return true;
    }
    QUrl url() const { return server->url(); }
};
