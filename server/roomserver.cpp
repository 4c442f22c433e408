#include "server/roomserver.h"

#include "common/protocol.h"
#include "server/filestore.h"
#include "server/historystore.h"
#include "server/listener.h"
#include "server/activityprobe.h"
#include "server/beacon.h"
#include "server/originpolicy.h"
#include "server/room.h"
#include "server/session.h"
#include "server/webpages.h"
#include "server/directtcpsocket.h"
#include "server/wsdirect.h"

#include <QLoggingCategory>

#include <algorithm>
#include <functional>
#include <memory>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketCorsAuthenticator>
#include <QWebSocketServer>

Q_LOGGING_CATEGORY(lcServer, "confab.server")

using namespace Confab::Protocol;

namespace {
// Lives as a child of an accepted socket and releases its place in the connection counts
// when the socket goes, however it goes. (Qt drops the socket's signal connections when
// it upgrades it, so QObject::destroyed cannot be relied on.)
class ConnectionTicket final : public QObject
{
public:
    ConnectionTicket(QTcpSocket *socket, std::function<void()> release)
        : QObject(socket), m_release(std::move(release))
    {
    }
    ~ConnectionTicket() override { m_release(); }

private:
    std::function<void()> m_release;
};
} // namespace

RoomServer::RoomServer(const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_store(std::make_unique<HistoryStore>())
    , m_wsServer(new QWebSocketServer(QStringLiteral("Confab"), QWebSocketServer::NonSecureMode, this))
{
    m_wsServer->setSupportedSubprotocols({ QString::fromLatin1(Subprotocol) });
    // Handshakes are drained as soon as they finish; this is not a connection limit.
    m_wsServer->setMaxPendingConnections(1 << 16);
    connect(m_wsServer, &QWebSocketServer::newConnection, this, &RoomServer::onNewWebSockets);
    connect(m_wsServer, &QWebSocketServer::originAuthenticationRequired, this,
            [this](QWebSocketCorsAuthenticator *auth) {
                const bool allowed = m_originPolicy && m_originPolicy->allows(auth->origin());
                if (!allowed)
                    qCInfo(lcServer).noquote() << "refused a web page from" << auth->origin()
                                               << "(see --allow-origin)";
                auth->setAllowed(allowed);
            });
    // Also the hello timeout's clock (Session::sweep), no timer per connection.
    m_sweepTimer.setInterval(std::min({ 1000, m_config.helloTimeoutMs / 4,
                                        m_config.idleTimeoutMs / 4,
                                        m_config.messageTimeoutMs / 4,
                                        m_config.pingIntervalMs / 2 }));
    connect(&m_sweepTimer, &QTimer::timeout, this, [this] {
        if (m_room)
            m_room->sweep();
    });
}

RoomServer::~RoomServer()
{
    // Sockets go first, while the counts their tickets update still exist.
    delete m_room;
    delete m_wsServer;
    delete m_tcpServer;
}

QString RoomServer::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

bool RoomServer::start()
{
    const QString dataDir = m_config.dataDir.isEmpty() ? defaultDataDir() : m_config.dataDir;
    if (!m_store->open(dataDir, m_config.historyLimit)) {
        m_error = tr("Cannot open the room's history in %1: %2").arg(dataDir, m_store->errorString());
        return false;
    }
    // Shared files: DATA/files. Files no message carries any more (history trimmed or
    // deleted while the room was down) go now.
    m_files = std::make_unique<FileStore>();
    if (!m_files->open(dataDir, m_config.maxFileSize, m_config.maxStorage,
                       m_config.partialMaxAgeSecs)) {
        m_error = tr("Cannot open the room's files in %1: %2").arg(dataDir, m_files->errorString());
        m_store->close();
        return false;
    }
    {
        bool ok = false;
        const QStringList ids = m_store->fileIds(&ok);
        if (ok) // never on a failed query: that would look like "no file is referenced"
            m_files->removeUnreferenced(QSet<QString>(ids.cbegin(), ids.cend()));
    }
    m_tcpServer = createListener(m_config, this, &m_error);
    if (!m_tcpServer) {
        m_store->close();
        return false;
    }
    connect(m_tcpServer, &QTcpServer::pendingConnectionAvailable, this,
            &RoomServer::onNewTcpConnections);
    m_tcpServer->setListenBacklogSize(m_config.listenBacklog);
    m_tcpServer->setMaxPendingConnections(1 << 16);
    if (!m_tcpServer->listen(m_config.bindAddress, m_config.port)) {
        if (m_tcpServer->serverError() == QAbstractSocket::AddressInUseError)
            m_error = tr("Port %1 is already in use on %2; choose another port (or 0 for any "
                         "free one).")
                          .arg(m_config.port)
                          .arg(m_config.bindAddress.toString());
        else
            m_error = tr("Cannot listen on %1 port %2: %3")
                          .arg(m_config.bindAddress.toString())
                          .arg(m_config.port)
                          .arg(m_tcpServer->errorString());
        m_store->close();
        return false;
    }
    m_originPolicy = std::make_unique<OriginPolicy>(m_config.allowedOrigins, port());
    m_room = new Room(m_config, m_store.get(), this);
    m_room->setFileStore(m_files.get());
    m_sweepTimer.start();
    connect(m_room, &Room::allSessionsClosed, this, [this] {
        if (m_stopping)
            Q_EMIT stopped();
    });
    qCInfo(lcServer).noquote() << "room" << m_config.roomName << "history in"
                               << m_store->filePath();
    if (m_config.announce) {
        QString idError;
        const QString roomId = RoomBeacon::loadRoomId(dataDir, &idError);
        if (!idError.isEmpty())
            qCWarning(lcServer).noquote() << idError;
        m_beacon = new RoomBeacon(m_room, roomId, port(), isTlsListener(m_tcpServer), this);
        m_beacon->start();
    }
    return true;
}

void RoomServer::stop()
{
    if (m_stopping)
        return;
    m_stopping = true;
    if (m_beacon)
        m_beacon->stop();
    if (m_tcpServer)
        m_tcpServer->close();
    if (m_room)
        m_room->closeAll(CloseCode::GoingAway, QStringLiteral("server shutting down"));
    else
        Q_EMIT stopped();
}

bool RoomServer::isListening() const
{
    return m_tcpServer && m_tcpServer->isListening();
}

quint16 RoomServer::port() const
{
    return m_tcpServer ? m_tcpServer->serverPort() : 0;
}

QHostAddress RoomServer::address() const
{
    return m_tcpServer ? m_tcpServer->serverAddress() : QHostAddress();
}

QUrl RoomServer::url() const
{
    QUrl url;
    url.setScheme(isTlsListener(m_tcpServer) ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setHost(address().toString());
    url.setPort(port());
    return url;
}

void RoomServer::onNewTcpConnections()
{
    while (QTcpSocket *socket = m_tcpServer->nextPendingConnection())
        accept(socket);
}

void RoomServer::accept(QTcpSocket *socket)
{
    const QString address = socket->peerAddress().toString();
    // Connections past the caps are cut at once: refusing them politely would cost a
    // handshake each, which is what a flood wants. maxClients is checked again, with a
    // sentence, once the WebSocket is up; this one leaves room for handshakes under way.
    if (m_stopping || m_perAddress.value(address) >= m_config.maxPerAddress
        || m_connectionCount >= m_config.maxClients + m_config.maxPerAddress) {
        if (!m_stopping)
            qCInfo(lcServer).noquote() << "refused a connection from" << address
                                       << "(connection limit)";
        socket->abort();
        socket->deleteLater();
        return;
    }
    ++m_connectionCount;
    ++m_perAddress[address];
    // Plain ws:// connections are upgraded here (upgradeDirect); TLS ones by Qt, which
    // hands back a QWebSocket that is matched to its socket by the peer's address and port.
    auto *direct = qobject_cast<DirectTcpSocket *>(socket);
    const QString key = direct ? QString()
                               : address + QLatin1Char('|') + QString::number(socket->peerPort());
    if (!direct)
        m_handshaking.insert(key, socket);
    new ConnectionTicket(socket, [this, address, key, socket] {
        --m_connectionCount;
        if (--m_perAddress[address] <= 0)
            m_perAddress.remove(address);
        if (!key.isEmpty() && m_handshaking.value(key) == socket)
            m_handshaking.remove(key);
    });
    // Qt starts no handshake timer for sockets given to handleConnection.
    auto *handshakeTimer = new QTimer(socket);
    handshakeTimer->setObjectName(QStringLiteral("confab-handshake"));
    handshakeTimer->setSingleShot(true);
    // (Once upgraded, the session owns the socket and this timer is gone.)
    connect(handshakeTimer, &QTimer::timeout, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    handshakeTimer->start(m_config.handshakeTimeoutMs);
    new ActivityProbe(socket);
    // Without this each small frame waits for the previous one's ACK (Nagle).
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    // The same port serves the web client over plain HTTP: look at the request head
    // (without reading it) and hand WebSocket upgrades to Qt, answer the rest here.
    auto sniffed = std::make_shared<QMetaObject::Connection>();
    const auto sniff = [this, socket, direct, sniffed] {
        constexpr qsizetype MaxHead = 8192;
        const QByteArray peeked = socket->peek(MaxHead);
        const qsizetype end = peeked.indexOf("\r\n\r\n");
        if (end < 0) {
            if (peeked.size() >= MaxHead) {
                socket->abort();
                socket->deleteLater();
            }
            return;
        }
        QObject::disconnect(*sniffed);
        const QByteArray head = peeked.left(end);
        if (WebPages::isWebSocketUpgrade(head)) {
            if (direct)
                upgradeDirect(direct, head, end + 4);
            else
                m_wsServer->handleConnection(socket);
            return;
        }
        socket->skip(end + 4);
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        WebPages::respond(socket, head);
    };
    *sniffed = connect(socket, &QTcpSocket::readyRead, this, sniff);
    if (socket->bytesAvailable() > 0)
        sniff();
}

void RoomServer::upgradeDirect(DirectTcpSocket *socket, const QByteArray &head, qsizetype headSize)
{
    const WsDirect::HandshakeAnswer answer = WsDirect::answerHandshake(
        head, QByteArray(Subprotocol), [this](const QString &origin) {
            // As for Qt's originAuthenticationRequired below: "" (no Origin) is a program.
            const bool allowed = m_originPolicy && m_originPolicy->allows(origin);
            if (!allowed)
                qCInfo(lcServer).noquote()
                    << "refused a web page from" << origin << "(see --allow-origin)";
            return allowed;
        });
    socket->skip(headSize);
    socket->write(answer.response);
    if (!answer.accepted) {
        qCDebug(lcServer).noquote() << "refused a WebSocket handshake from"
                                    << socket->peerAddress().toString() << answer.status
                                    << answer.reason;
        // The handshake timer still runs, should the peer not let the connection go.
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        return;
    }
    delete socket->findChild<QTimer *>(QStringLiteral("confab-handshake"));
    if (m_stopping) {
        socket->write(WsDirect::closeFrame(WsDirect::CloseGoingAway, QString()));
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        QTimer::singleShot(2000, socket, [socket] { socket->abort(); });
        return;
    }
    const auto kind = answer.guest ? Session::Kind::Guest : Session::Kind::Member;
    auto *session = new Session(socket, kind, m_room, m_room->config(), m_room);
    socket->setParent(session);
    m_room->addSession(session);
}

void RoomServer::onNewWebSockets()
{
    while (QWebSocket *socket = m_wsServer->nextPendingConnection()) {
        socket->setMaxAllowedIncomingFrameSize(m_config.maxFrameBytes);
        socket->setMaxAllowedIncomingMessageSize(m_config.maxMessageBytes);
        // Qt splits outgoing text at 512 KiB, and a split inside a character is refused by
        // Qt's own reader (1007): send every message as one frame instead.
        socket->setOutgoingFrameSize(QWebSocket::maxOutgoingFrameSize());
        if (m_stopping) {
            socket->close(QWebSocketProtocol::CloseCodeGoingAway);
            socket->deleteLater();
            continue;
        }
        const QString key = socket->peerAddress().toString() + QLatin1Char('|')
            + QString::number(socket->peerPort());
        QTcpSocket *tcp = m_handshaking.take(key);
        if (tcp)
            delete tcp->findChild<QTimer *>(QStringLiteral("confab-handshake"));
        auto *session = new Session(socket, tcp, m_room, m_room->config(), m_room);
        m_room->addSession(session);
    }
}
