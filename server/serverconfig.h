#pragma once

#include "common/limits.h"
#include "common/protocol.h"

#include <QHostAddress>
#include <QString>

// Everything a room host can be told, from the command line or the host dialog.
struct ServerConfig
{
    QHostAddress bindAddress = QHostAddress::Any;
    quint16 port = Confab::Protocol::DefaultPort; // 0 picks a free port
    QString roomName = QStringLiteral("Confab");
    QString dataDir; // empty: QStandardPaths::AppDataLocation
    int historyLimit = Confab::Limits::DefaultHistoryLimit;
    int welcomeHistory = Confab::Limits::WelcomeHistory;
    quint64 maxFrameBytes = Confab::Limits::MaxFrameBytes;
    quint64 maxMessageBytes = Confab::Limits::MaxMessageBytes;
    int maxTextLength = Confab::Limits::MaxTextLength;
    int helloTimeoutMs = 10000;
    int listenBacklog = 4096;
};
