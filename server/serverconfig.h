#pragma once

#include "common/limits.h"
#include "common/protocol.h"

#include "server/roompassword.h"

#include <QHostAddress>
#include <QString>
#include <QStringList>

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

    // Guards against peers that misbehave (docs/SECURITY.md lists each with its test).
    qint64 maxSendBufferBytes = 1024 * 1024; // unsent data to one client before it is dropped
    int handshakeTimeoutMs = 5000; // TCP accept to finished WebSocket handshake
    int pingIntervalMs = 30000; // a silent peer is pinged this often
    int idleTimeoutMs = 75000; // and dropped after this long with nothing received
    int messageTimeoutMs = 15000; // a message begun must arrive whole within this
    int maxClients = 1000; // connections in total
    int maxPerAddress = 64; // connections from one IP address
    double maxRate = 5.0; // chat messages per second per client; 0: no limit
    int rateBurst = 20; // messages a client may send at once before the rate applies
    // Files (docs/PROTOCOL.md "Files"). Upload chunks have their own bucket, far larger than
    // the message rate (a 50 MiB upload is 1,600 chunks), and 0 lifts it like --max-rate 0.
    qint64 maxFileSize = Confab::Limits::DefaultMaxFileSize;
    qint64 maxStorage = Confab::Limits::DefaultMaxStorage; // every stored file and partial
    int maxUploadsPerSession = 2;
    // Each download holds a file open: bounded, so one connection cannot use up the
    // process's file descriptors.
    int maxDownloadsPerSession = 8;
    double fileChunkRate = 8192; // chunks per second (256 MiB/s), after fileChunkBurst
    int fileChunkBurst = 512;
    qint64 partialMaxAgeSecs = 24 * 3600; // unfinished uploads older than this go at start
    QStringList allowedOrigins; // web pages allowed besides the room's own; "*", "null"
    RoomPassword password; // unset: no password

    // Encryption (wss://). With a certificate and key (PEM files, both or neither) the room
    // speaks TLS 1.2+ only; with tlsSelfSigned and no files it makes a self-signed
    // certificate once and keeps it in DATA-DIR/tls/ (members pin it on first use).
    QString tlsCertFile;
    QString tlsKeyFile;
    bool tlsSelfSigned = false;

    // LAN announcements (server/beacon.h, docs/PROTOCOL.md section 12): on unless --no-announce.
    // announceTargets, when not empty, replace the multicast group and broadcast addresses
    // (tests announce to a loopback port).
    bool announce = true;
    QList<QPair<QHostAddress, quint16>> announceTargets;
    int announceIntervalMs = 2000;
};
