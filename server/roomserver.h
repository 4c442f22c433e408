#pragma once

#include "server/serverconfig.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>

class QTcpServer;
class QTcpSocket;
class QWebSocketServer;
class DirectTcpSocket;
class HistoryStore;
class FileStore;
class OriginPolicy;
class Room;
class RoomBeacon;

// A room host: listens on its own QTcpServer (large backlog, TCP_NODELAY on each accepted
// socket) and upgrades each connection through QWebSocketServer::handleConnection, with
// Confab's limits set on every socket. Used by `confab --server` and, in-process, by the
// GUI when it hosts.
class RoomServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomServer)

public:
    explicit RoomServer(const ServerConfig &config, QObject *parent = nullptr);
    ~RoomServer() override;

    // Opens the history and starts listening. On failure errorString() is a sentence
    // that names the cause (for a taken port, the port).
    bool start();
    // Closes every client with 1001 and stops listening; stopped() follows.
    void stop();

    bool isListening() const;
    QString errorString() const { return m_error; }
    quint16 port() const;
    QHostAddress address() const;
    QUrl url() const; // ws://ADDR:PORT (wss:// with TLS) as it was bound
    Room *room() const { return m_room; }
    // The LAN announcer while started with config().announce, else nullptr.
    RoomBeacon *beacon() const { return m_beacon; }
    const ServerConfig &config() const { return m_config; }
    int connectionCount() const { return m_connectionCount; }

    // Where the history lives when no --data-dir is given.
    static QString defaultDataDir();

Q_SIGNALS:
    void stopped();

private:
    void onNewTcpConnections();
    void onNewWebSockets();
    void accept(QTcpSocket *socket);
    void upgradeDirect(DirectTcpSocket *socket, const QByteArray &head, qsizetype headSize);

    ServerConfig m_config;
    QString m_error;
    std::unique_ptr<HistoryStore> m_store;
    std::unique_ptr<FileStore> m_files;
    std::unique_ptr<OriginPolicy> m_originPolicy;
    QTcpServer *m_tcpServer = nullptr;
    QWebSocketServer *m_wsServer;
    Room *m_room = nullptr;
    RoomBeacon *m_beacon = nullptr;
    QTimer m_sweepTimer;
    // Accepted TCP connections, in total and by address; sockets still in the handshake,
    // by peer "address:port", so the WebSocket Qt hands back can be matched to its socket.
    int m_connectionCount = 0;
    QHash<QString, int> m_perAddress;
    QHash<QString, QTcpSocket *> m_handshaking;
    bool m_stopping = false;
};
