#include "server/session.h"

#include "common/codec.h"
#include "common/filechunk.h"
#include "common/limits.h"
#include "server/filestore.h"
#include "server/activityprobe.h"
#include "server/directtcpsocket.h"
#include "server/room.h"
#include "server/serverconfig.h"

#include <QLoggingCategory>
#include <QTcpSocket>
#include <QWebSocket>

#include <algorithm>
#include <chrono>

Q_LOGGING_CATEGORY(lcSession, "confab.session")

using namespace Confab::Protocol;

namespace {
// A peer that ignores our close frame is cut off after this long.
constexpr int CloseGraceMs = 2000;
// Requests other than chat (history pages, member lists, pings) may come this much faster.
constexpr double RequestRateFactor = 4.0;
} // namespace

qint64 Session::monotonicMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

Session::Session(QWebSocket *socket, QTcpSocket *tcpSocket, Room *room, const ServerConfig &config,
                 QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_room(room)
    , m_config(config)
    , m_tcpSocket(tcpSocket)
    , m_probe(tcpSocket ? tcpSocket->findChild<ActivityProbe *>() : nullptr)
    , m_peer(QStringLiteral("%1:%2").arg(socket->peerAddress().toString()).arg(socket->peerPort()))
    , m_peerAddress(socket->peerAddress())
    , m_chatBucket(config.maxRate, config.rateBurst)
    , m_requestBucket(config.maxRate * RequestRateFactor, config.rateBurst * 2)
    , m_chunkBucket(config.fileChunkRate, config.fileChunkBurst)
    , m_files(room->fileStore())
    , m_lastReceivedMs(monotonicMs())
{
    socket->setParent(this);
    m_guest = socket->subprotocol().isEmpty();
    connect(socket, &QWebSocket::textMessageReceived, this, &Session::onTextMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this, &Session::onBinaryMessage);
    connect(socket, &QWebSocket::disconnected, this, &Session::onDisconnected);
    connect(socket, &QWebSocket::pong, this, [this] { noteComplete(); });
    connect(socket, &QWebSocket::bytesWritten, this, [this] {
        if (!m_downloads.isEmpty())
            pumpDownloads();
    });

    if (!m_guest) // guests join as they connect
        m_helloDeadlineMs = m_lastReceivedMs + config.helloTimeoutMs;
    // The handshake's own bytes are not the start of a message.
    if (m_probe)
        m_probe->clearPartial();
}

Session::~Session()
{
    releaseUploads();
    // The WebSocket first (it may still talk to its socket as it goes), then the socket.
    QPointer<QTcpSocket> tcp = m_tcpSocket;
    delete m_socket;
    delete tcp.data();
}

void Session::setJoined(const QString &nick, const QString &nickKey, const QString &resumeToken)
{
    m_helloDeadlineMs = -1;
    m_nick = nick;
    m_nickKey = nickKey;
    m_resumeToken = resumeToken;
}

bool Session::admitBytes(qint64 size)
{
    if (m_closed)
        return false;
    // A client that stops reading must not grow the server without bound; it can come
    // back and resume from its last seq. The bound is on backlog: an idle socket always
    // takes one frame, however large.
    qint64 backlog = m_socket->bytesToWrite();
    if (backlog > 0 && backlog + size > m_config.maxSendBufferBytes) {
        // Much written in one event-loop pass (a burst fanned out) is not yet a peer that
        // does not read: the kernel gets it now, and only what it will not take counts.
        if (auto *direct = qobject_cast<DirectTcpSocket *>(m_tcpSocket.data())) {
            direct->sendPendingNow();
            backlog = m_socket->bytesToWrite();
        }
    }
    if (backlog > 0 && backlog + size > m_config.maxSendBufferBytes) {
        qCInfo(lcSession).noquote() << m_peer << m_nick << "dropped: not reading ("
                                    << backlog << "bytes unsent)";
        close(CloseCode::SlowConsumer, QStringLiteral("not reading fast enough"));
        m_socket->abort();
        return false;
    }
    return true;
}

void Session::sendFrame(const QString &frame)
{
    if (admitBytes(frame.size()))
        m_socket->sendTextMessage(frame);
}

void Session::sendEncoded(const EncodedFrame &frame)
{
    if (!admitBytes(frame.bytes.size()))
        return;
    // The frame was built once for every recipient; a server's frames are not masked, so
    // the same bytes are right for each socket. Written between Qt's own whole frames
    // (this is one thread), it cannot split one of them.
    if (m_tcpSocket && m_tcpSocket->state() == QAbstractSocket::ConnectedState)
        m_tcpSocket->write(frame.bytes);
    else
        m_socket->sendTextMessage(QString::fromUtf8(frame.payload()));
}

void Session::send(const ServerMessage &message)
{
    sendFrame(QString::fromUtf8(Confab::Codec::encode(message)));
}

void Session::sendError(const char *code, const QString &message, const QString &clientId,
                        qint64 retryAfterMs)
{
    qCInfo(lcSession).noquote() << m_peer << (m_nick.isEmpty() ? QString() : m_nick) << "error"
                                << code << message;
    if (m_guest)
        sendFrame(tr("error: %1").arg(message));
    else
        send(Error { QString::fromLatin1(code), message, clientId, retryAfterMs });
}

void Session::close(CloseCode code, const QString &reason)
{
    if (m_closed)
        return;
    m_closed = true;
    m_helloDeadlineMs = -1;
    m_socket->close(QWebSocketProtocol::CloseCode(quint16(code)), reason);
    QTimer::singleShot(CloseGraceMs, m_socket, [socket = m_socket] { socket->abort(); });
}

void Session::sweep(qint64 nowMs)
{
    if (m_closed)
        return;
    if (m_helloDeadlineMs >= 0 && nowMs >= m_helloDeadlineMs) {
        close(CloseCode::HelloTimeout, tr("No valid hello arrived in time."));
        return;
    }
    if (m_probe && m_probe->partialSinceMs() >= 0
        && nowMs - m_probe->partialSinceMs() > m_config.messageTimeoutMs) {
        qCInfo(lcSession).noquote() << m_peer << m_nick << "dropped: message too slow to arrive";
        close(CloseCode::TooSlow, QStringLiteral("message took too long to arrive"));
        return;
    }
    // A peer's own WebSocket pings are signs of life too.
    const qint64 lastHeard = std::max(m_lastReceivedMs, m_probe ? m_probe->lastControlMs() : -1);
    const qint64 silent = nowMs - lastHeard;
    if (silent > m_config.idleTimeoutMs) {
        qCInfo(lcSession).noquote() << m_peer << m_nick << "dropped: silent for" << silent << "ms";
        close(CloseCode::IdleTimeout, QStringLiteral("nothing received for too long"));
        return;
    }
    if (silent > m_config.pingIntervalMs
        && (m_lastPingMs < 0 || nowMs - m_lastPingMs > m_config.pingIntervalMs)) {
        m_lastPingMs = nowMs;
        m_socket->ping();
    }
}

bool Session::releaseIdleBuffers()
{
    // Qt keeps a socket's emptied read and write chunks (48 KiB) for good otherwise.
    auto *direct = qobject_cast<DirectTcpSocket *>(m_tcpSocket.data());
    return direct && !m_closed && direct->releaseIdleBuffers();
}

void Session::noteComplete()
{
    m_lastReceivedMs = monotonicMs();
    if (m_probe)
        m_probe->clearPartial();
}

bool Session::admit(bool isChat, const QString &clientId)
{
    const qint64 now = monotonicMs();
    TokenBucket &bucket = isChat ? m_chatBucket : m_requestBucket;
    // After a chat message is refused, later ones are refused too until its wait is over,
    // even if a token refilled meanwhile: otherwise message N+1 could be stored before the
    // resent message N, and a paste would arrive out of order.
    if (isChat && now < m_chatHoldUntilMs)
        return refuse(bucket, clientId, {}, -1, m_chatHoldUntilMs - now);
    if (bucket.take(now)) {
        m_strikes = 0;
        return true;
    }
    if (isChat)
        m_chatHoldUntilMs = now + bucket.waitMs();
    return refuse(bucket, clientId, {}, -1);
}

bool Session::refuse(const TokenBucket &bucket, const QString &clientId, const QString &uploadId,
                     qint64 offset, qint64 waitMs)
{
    if (waitMs < 0)
        waitMs = bucket.waitMs();
    // Answered, not dropped: the client keeps the message and may send it again later.
    // One that keeps on regardless is closed.
    if (++m_strikes > m_config.rateBurst) {
        sendError(ErrorCode::RateLimited, tr("Too many messages; the connection is closed."));
        close(CloseCode::Policy, QStringLiteral("message rate limit exceeded"));
        return false;
    }
    if (!uploadId.isEmpty())
        sendFileError(ErrorCode::RateLimited, tr("File data is arriving too fast; slow down."),
                      uploadId, {}, offset, waitMs);
    else
        sendError(ErrorCode::RateLimited,
                  tr("Too many messages at once; try again in a moment."), clientId, waitMs);
    return false;
}

void Session::sendFileError(const char *code, const QString &message, const QString &uploadId,
                            const QString &fileId, qint64 offset, qint64 retryAfterMs)
{
    qCInfo(lcSession).noquote() << m_peer << m_nick << "error" << code << uploadId << fileId
                                << message;
    Error e { QString::fromLatin1(code), message, {}, retryAfterMs };
    e.uploadId = uploadId;
    e.fileId = fileId;
    e.offset = offset;
    send(e);
}

void Session::releaseUploads()
{
    if (m_files) {
        for (const Upload &u : std::as_const(m_uploads))
            m_files->release(this, u.key, FileStore::Partial::Keep);
    }
    m_uploads.clear();
    m_downloads.clear();
}

void Session::startDownload(const QString &fileId, const QString &path, qint64 offset, qint64 size)
{
    cancelDownload(fileId);
    auto file = std::make_shared<QFile>(path);
    if (!file->open(QIODevice::ReadOnly) || !file->seek(offset)) {
        sendFileError(ErrorCode::NotFound, tr("That file is not there (any more)."), {}, fileId);
        return;
    }
    m_downloads.append(Download { fileId, file, offset, size });
    if (!m_pumpQueued) {
        m_pumpQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_pumpQueued = false;
            pumpDownloads();
        });
    }
}

bool Session::cancelDownload(const QString &fileId)
{
    return m_downloads.removeIf([&](const Download &d) { return d.fileId == fileId; }) > 0;
}

void Session::pumpDownloads()
{
    // Flow control: what waits in the socket stays small, so a download never pushes the
    // connection over its unsent-data bound, and chat frames are not stuck behind a file.
    QByteArray buffer(Confab::Limits::MaxChunkBytes, Qt::Uninitialized);
    while (!m_closed && !m_downloads.isEmpty()
           && m_socket->bytesToWrite() < Confab::Limits::MaxFileBacklog) {
        Download d = m_downloads.takeFirst();
        const qint64 n = d.file->read(buffer.data(), qMin<qint64>(buffer.size(), d.size - d.offset));
        if (n <= 0 && d.offset < d.size) {
            sendFileError(ErrorCode::StoreFailed, tr("The room could not read that file."), {},
                          d.fileId);
            continue;
        }
        if (n > 0) {
            m_socket->sendBinaryMessage(Confab::FileChunk::encode(
                Confab::FileChunk::Kind::Download, d.offset, d.fileId, QByteArrayView(buffer.constData(), n)));
            d.offset += n;
        }
        if (d.offset >= d.size)
            send(FileEnd { d.fileId, d.size });
        else
            m_downloads.append(d); // round robin between this connection's downloads
    }
}

void Session::onTextMessage(const QString &text)
{
    noteComplete();
    if (m_closed || m_awaitingVerdict)
        return;
    if (m_guest) {
        if (admit(true, {}))
            m_room->onGuestText(this, text);
        return;
    }
    auto decoded = Confab::Codec::decodeClient(text.toUtf8());
    if (!decoded.ok()) {
        // Garbage counts against the rate like anything else.
        if (admit(false, {}))
            sendError(qPrintable(decoded.error.code), decoded.error.message);
        return;
    }
    ClientMessage &message = *decoded.value;
    const auto *chat = std::get_if<SendChat>(&message);
    if (const auto *typing = std::get_if<SetTyping>(&message)) {
        // Starting is throttled (extra notices are dropped: they cost nothing to lose);
        // stopping always goes through once, so nobody is left shown as typing.
        const bool pass = typing->active ? m_typingBucket.take(monotonicMs()) : m_typingActive;
        if (!pass)
            return;
        m_typingActive = typing->active;
    } else if (!admit(chat != nullptr, chat ? chat->clientId : QString())) {
        return;
    }
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
    if (chat)
        m_room->onChat(this, *chat);
    else if (auto *history = std::get_if<HistoryRequest>(&message))
        m_room->onHistory(this, *history);
    else if (std::holds_alternative<MembersRequest>(message))
        send(Members { m_room->members() });
    else if (auto *ping = std::get_if<Ping>(&message))
        send(Pong { ping->token });
    else if (auto *edit = std::get_if<EditMessage>(&message))
        m_room->onEdit(this, *edit);
    else if (auto *del = std::get_if<DeleteMessage>(&message))
        m_room->onDelete(this, *del);
    else if (auto *react = std::get_if<React>(&message))
        m_room->onReact(this, *react);
    else if (auto *search = std::get_if<SearchRequest>(&message))
        m_room->onSearch(this, *search);
    else if (auto *typing = std::get_if<SetTyping>(&message))
        m_room->onTyping(this, typing->active);
    else if (auto *presence = std::get_if<SetPresence>(&message))
        m_room->onPresence(this, presence->status);
    else if (auto *start = std::get_if<FileStart>(&message))
        m_room->onFileStart(this, *start);
    else if (auto *get = std::get_if<FileGet>(&message))
        m_room->onFileGet(this, *get);
    else if (auto *cancel = std::get_if<FileCancel>(&message))
        m_room->onFileCancel(this, *cancel);
    // A pong needs no answer; that it arrived is what counts.
}

void Session::onBinaryMessage(const QByteArray &data)
{
    noteComplete();
    if (m_closed || m_awaitingVerdict)
        return;
    const auto chunk = Confab::FileChunk::decode(data);
    const bool isUpload = chunk && chunk->kind == Confab::FileChunk::Kind::Upload && !m_guest
        && isJoined() && m_uploads.contains(chunk->id);
    if (!isUpload) {
        // Anything else costs what any other message costs, so floods cannot hide here.
        if (!admit(false, {}))
            return;
        if (m_guest)
            sendError(ErrorCode::BadMessage,
                      tr("Files cannot be shared from a plain WebSocket connection."));
        else if (!isJoined())
            sendError(ErrorCode::NotJoined, tr("Say hello before anything else."));
        else if (!chunk || chunk->kind != Confab::FileChunk::Kind::Upload)
            sendError(ErrorCode::BadMessage, tr("This binary message is not a file chunk."));
        else
            sendFileError(ErrorCode::NotFound, tr("No upload with that id is under way."),
                          chunk->id);
        return;
    }
    Upload &upload = m_uploads[chunk->id];
    const bool take = m_chunkBucket.take(monotonicMs());
    // After a refusal, the chunks the client had already sent arrive with offsets past the
    // gap: they are dropped quietly (they still cost a token) until it goes back.
    if (upload.rewinding && chunk->offset != upload.held)
        return;
    if (!take) {
        upload.rewinding = true;
        refuse(m_chunkBucket, {}, chunk->id, upload.held);
        return;
    }
    m_strikes = 0;
    upload.rewinding = false;
    m_room->onFileChunk(this, *chunk);
}

void Session::onDisconnected()
{
    releaseUploads();
    m_closed = true;
    m_helloDeadlineMs = -1;
    Q_EMIT closed(this);
}
