#include "server/session.h"

#include "common/codec.h"
#include "server/room.h"

#include <QLoggingCategory>
#include <QWebSocket>

Q_LOGGING_CATEGORY(lcSession, "confab.session")

using namespace Confab::Protocol;

namespace {
// A peer that ignores our close frame is cut off after this long.
constexpr int CloseGraceMs = 2000;
} // namespace

Session::Session(QWebSocket *socket, Room *room, int helloTimeoutMs, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_room(room)
    , m_peer(QStringLiteral("%1:%2").arg(socket->peerAddress().toString()).arg(socket->peerPort()))
{
    socket->setParent(this);
    connect(socket, &QWebSocket::textMessageReceived, this, &Session::onTextMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this, &Session::onBinaryMessage);
    connect(socket, &QWebSocket::disconnected, this, &Session::onDisconnected);

    m_helloTimer.setSingleShot(true);
    connect(&m_helloTimer, &QTimer::timeout, this, [this] {
        close(CloseCode::HelloTimeout, tr("No valid hello arrived in time."));
    });
    m_helloTimer.start(helloTimeoutMs);
}

Session::~Session() = default;

void Session::setJoined(const QString &nick, const QString &nickKey, const QString &resumeToken)
{
    m_helloTimer.stop();
    m_nick = nick;
    m_nickKey = nickKey;
    m_resumeToken = resumeToken;
}

void Session::sendFrame(const QString &frame)
{
    if (!m_closed)
        m_socket->sendTextMessage(frame);
}

void Session::send(const ServerMessage &message)
{
    sendFrame(QString::fromUtf8(Confab::Codec::encode(message)));
}

void Session::sendError(const char *code, const QString &message, const QString &clientId)
{
    qCInfo(lcSession).noquote() << m_peer << (m_nick.isEmpty() ? QString() : m_nick)
                                << "error" << code << message;
    send(Error { QString::fromLatin1(code), message, clientId });
}

void Session::close(CloseCode code, const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    m_helloTimer.stop();
    m_socket->close(QWebSocketProtocol::CloseCode(quint16(code)), reason);
    QTimer::singleShot(CloseGraceMs, m_socket, [socket = m_socket] { socket->abort(); });
}

void Session::onTextMessage(const QString &text)
{
    if (m_closed)
        return;
    auto decoded = Confab::Codec::decodeClient(text.toUtf8());
    if (!decoded.ok()) {
        sendError(qPrintable(decoded.error.code), decoded.error.message);
        return;
    }
    ClientMessage &message = *decoded.value;
    if (auto *hello = std::get_if<Hello>(&message)) {
        if (isJoined()) {
            sendError(ErrorCode::AlreadyJoined, tr("This connection has already joined the room."));
            return;
        }
        m_room->onHello(this, *hello);
        return;
    }
    if (!isJoined()) {
        sendError(ErrorCode::NotJoined, tr("Say hello before anything else."));
        return;
    }
    if (auto *chat = std::get_if<SendChat>(&message))
        m_room->onChat(this, *chat);
    else if (auto *history = std::get_if<HistoryRequest>(&message))
        m_room->onHistory(this, *history);
    else if (std::holds_alternative<MembersRequest>(message))
        send(Members { m_room->members() });
    else if (auto *ping = std::get_if<Ping>(&message))
        send(Pong { ping->token });
    // A pong needs no answer; that it arrived is what counts.
}

void Session::onBinaryMessage(const QByteArray &)
{
    if (!m_closed)
        sendError(ErrorCode::BadMessage, tr("Binary messages are not part of this protocol."));
}

void Session::onDisconnected()
{
    m_closed = true;
    m_helloTimer.stop();
    Q_EMIT closed(this);
}
