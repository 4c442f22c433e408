#include "server/session.h"

#include "common/codec.h"
#include "common/filechunk.h"
#include "common/limits.h"
#include "server/filestore.h"
#include "server/activityprobe.h"
#include "server/directtcpsocket.h"
#include "server/room.h"
#include "server/serverconfig.h"
#include "server/wsdirect.h"

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

Session::Session(QTcpSocket *tcpSocket, const QHostAddress &peerAddress, quint16 peerPort,
                 bool guest, Room *room, const ServerConfig &config, QObject *parent)
    : QObject(parent)
    , m_room(room)
    , m_config(config)
    , m_tcpSocket(tcpSocket)
    , m_probe(tcpSocket ? tcpSocket->findChild<ActivityProbe *>() : nullptr)
    , m_peer(QStringLiteral("%1:%2").arg(peerAddress.toString()).arg(peerPort))
    , m_peerAddress(peerAddress)
    , m_chatBucket(config.maxRate, config.rateBurst)
    , m_requestBucket(config.maxRate * RequestRateFactor, config.rateBurst * 2)
    , m_chunkBucket(config.fileChunkRate, config.fileChunkBurst)
    , m_files(room->fileStore())
    , m_lastReceivedMs(monotonicMs())
    , m_guest(guest)
{
}

Session::Session(QWebSocket *socket, QTcpSocket *tcpSocket, Room *room, const ServerConfig &config,
                 QObject *parent)
    : Session(tcpSocket, socket->peerAddress(), socket->peerPort(), socket->subprotocol().isEmpty(),
              room, config, parent)
{
    m_socket = socket;
    socket->setParent(this);
    connect(socket, &QWebSocket::textMessageReceived, this, &Session::onTextMessage);
    connect(socket, &QWebSocket::binaryMessageReceived, this, &Session::onBinaryMessage);
    connect(socket, &QWebSocket::disconnected, this, &Session::onDisconnected);
    connect(socket, &QWebSocket::pong, this, [this] { noteComplete(); });
    connect(socket, &QWebSocket::bytesWritten, this, [this] {
        if (!m_downloads.isEmpty())
            pumpDownloads();
    });
    init();
}

Session::Session(DirectTcpSocket *socket, Kind kind, Room *room, const ServerConfig &config,
                 QObject *parent)
    : Session(socket, socket->peerAddress(), socket->peerPort(), kind == Kind::Guest, room, config,
              parent)
{
    // Connected after the ActivityProbe (made at accept), so it still sees bytes first.
    connect(socket, &QTcpSocket::readyRead, this, &Session::onDirectReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &Session::onDisconnected);
    connect(socket, &QTcpSocket::bytesWritten, this, [this] {
        if (!m_downloads.isEmpty())
            pumpDownloads();
    });
    // Frames that came with the handshake's bytes raise no readyRead of their own.
    if (socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &Session::onDirectReadyRead, Qt::QueuedConnection);
    init();
}

void Session::init()
{
    if (!m_guest) // guests join as they connect
        m_helloDeadlineMs = m_lastReceivedMs + m_config.helloTimeoutMs;
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
    qint64 backlog = bytesToWrite();
    if (backlog > 0 && backlog + size > m_config.maxSendBufferBytes) {
        // Much written in one event-loop pass (a burst fanned out) is not yet a peer that
        // does not read: the kernel gets it now, and only what it will not take counts.
        if (auto *direct = qobject_cast<DirectTcpSocket *>(m_tcpSocket.data())) {
            direct->sendPendingNow();
            backlog = bytesToWrite();
        }
    }
    if (backlog > 0 && backlog + size > m_config.maxSendBufferBytes) {
        qCInfo(lcSession).noquote() << m_peer << m_nick << "dropped: not reading ("
                                    << backlog << "bytes unsent)";
        close(CloseCode::SlowConsumer, QStringLiteral("not reading fast enough"));
        abortSocket();
        return false;
    }
    return true;
}

void Session::sendFrame(const QString &frame)
{
    if (admitBytes(frame.size()))
        sendText(frame);
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
    else if (m_socket)
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
    if (m_socket) {
        m_socket->close(QWebSocketProtocol::CloseCode(quint16(code)), reason);
        QTimer::singleShot(CloseGraceMs, m_socket, [socket = m_socket] { socket->abort(); });
        return;
    }
    if (!m_tcpSocket)
        return;
    QTimer::singleShot(CloseGraceMs, m_tcpSocket.data(),
                       [socket = m_tcpSocket.data()] { socket->abort(); });
    sendDirectClose(quint16(code), reason);
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
        if (m_socket)
            m_socket->ping();
        else if (m_tcpSocket && !m_closeSent)
            m_tcpSocket->write(WsDirect::frame(WsDirect::Ping, {}));
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
           && bytesToWrite() < Confab::Limits::MaxFileBacklog) {
        Download d = m_downloads.takeFirst();
        const qint64 n = d.file->read(buffer.data(), qMin<qint64>(buffer.size(), d.size - d.offset));
        if (n <= 0 && d.offset < d.size) {
            sendFileError(ErrorCode::StoreFailed, tr("The room could not read that file."), {},
                          d.fileId);
            continue;
        }
        if (n > 0) {
            sendBinary(Confab::FileChunk::encode(
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

// ---------------------------------------------------------------- transport

void Session::sendText(const QString &text)
{
    if (m_socket)
        m_socket->sendTextMessage(text);
    else if (m_tcpSocket && !m_closeSent)
        m_tcpSocket->write(WsDirect::frame(WsDirect::Text, text.toUtf8()));
}

void Session::sendBinary(const QByteArray &data)
{
    if (m_socket)
        m_socket->sendBinaryMessage(data);
    else if (m_tcpSocket && !m_closeSent)
        m_tcpSocket->write(WsDirect::frame(WsDirect::Binary, data));
}

qint64 Session::bytesToWrite() const
{
    if (m_socket)
        return m_socket->bytesToWrite();
    return m_tcpSocket ? m_tcpSocket->bytesToWrite() : 0;
}

void Session::abortSocket()
{
    if (m_socket)
        m_socket->abort();
    else if (m_tcpSocket)
        m_tcpSocket->abort();
}

void Session::sendDirectClose(quint16 code, const QString &reason)
{
    if (m_closeSent || !m_tcpSocket)
        return;
    m_closeSent = true;
    m_in = QByteArray();
    m_fragments = QByteArray();
    m_fragmentOpcode = 0;
    if (m_tcpSocket->state() == QAbstractSocket::ConnectedState)
        m_tcpSocket->write(WsDirect::closeFrame(code, reason));
    // As QWebSocket does: the close frame, then the TCP connection is closed (after what is
    // queued has gone; close() stops reading). A peer that does not read is aborted by the
    // grace timer of close().
    m_tcpSocket->close();
}

void Session::failDirect(quint16 code, const QString &reason)
{
    qCInfo(lcSession).noquote() << m_peer << m_nick << "closed with" << code << reason;
    if (m_closed)
        return;
    m_closed = true;
    m_helloDeadlineMs = -1;
    QTimer::singleShot(CloseGraceMs, m_tcpSocket.data(),
                       [socket = m_tcpSocket.data()] { socket->abort(); });
    sendDirectClose(code, reason);
}

void Session::onDirectReadyRead()
{
    if (!m_tcpSocket)
        return;
    if (m_closeSent) {
        m_tcpSocket->skip(m_tcpSocket->bytesAvailable());
        return;
    }
    QByteArray data = m_tcpSocket->readAll();
    if (m_in.isEmpty())
        m_in = std::move(data);
    else
        m_in.append(data);
    qsizetype pos = 0;
    while (!m_closeSent && !m_closed && processFrame(pos)) { }
    if (m_closeSent || pos >= m_in.size())
        m_in = QByteArray(); // nothing kept while idle
    else if (pos > 0)
        m_in = m_in.mid(pos); // the start of a frame, in a buffer of its own size
}

bool Session::processFrame(qsizetype &pos)
{
    using namespace WsDirect;
    const auto *d = reinterpret_cast<const uchar *>(m_in.constData()) + pos;
    const qsizetype avail = m_in.size() - pos;
    if (avail < 2)
        return false;
    const bool fin = d[0] & 0x80;
    const quint8 opcode = d[0] & 0x0F;
    const bool control = opcode & 0x8;
    if (d[0] & 0x70) {
        failDirect(CloseProtocolError, QStringLiteral("Rsv field is non-zero"));
        return false;
    }
    if ((opcode > Binary && opcode < Close) || opcode > WsDirect::Pong) {
        failDirect(CloseProtocolError, QStringLiteral("Invalid opcode detected: %1").arg(opcode));
        return false;
    }
    if (!(d[1] & 0x80)) {
        failDirect(CloseProtocolError, QStringLiteral("Frames from a client must be masked."));
        return false;
    }
    quint64 length = d[1] & 0x7F;
    qsizetype header = 2;
    if (length == 126) {
        if (avail < 4)
            return false;
        length = (quint64(d[2]) << 8) | d[3];
        header = 4;
        if (length < 126) {
            failDirect(CloseProtocolError,
                       QStringLiteral("Lengths smaller than 126 must be expressed as one byte."));
            return false;
        }
    } else if (length == 127) {
        if (avail < 10)
            return false;
        length = 0;
        for (int i = 2; i < 10; ++i)
            length = (length << 8) | d[i];
        header = 10;
        if (length >> 63) {
            failDirect(CloseProtocolError,
                       QStringLiteral("Highest bit of payload length is not 0."));
            return false;
        }
        if (length <= 0xFFFF) {
            failDirect(
                CloseProtocolError,
                QStringLiteral("Lengths smaller than 65536 (2^16) must be expressed as 2 bytes."));
            return false;
        }
    }
    if (control) {
        if (!fin) {
            failDirect(CloseProtocolError, QStringLiteral("Received fragmented control frame."));
            return false;
        }
        if (length > 125) {
            failDirect(CloseProtocolError,
                       QStringLiteral("Received control frame larger than 125 bytes."));
            return false;
        }
    } else {
        if (length > m_config.maxFrameBytes) {
            failDirect(CloseTooBig, QStringLiteral("Maximum framesize exceeded."));
            return false;
        }
        if (opcode == Continuation && m_fragmentOpcode == 0) {
            failDirect(
                CloseProtocolError,
                QStringLiteral("Received Continuation frame, while there is nothing to continue."));
            return false;
        }
        if (opcode != Continuation && m_fragmentOpcode != 0) {
            failDirect(
                CloseProtocolError,
                QStringLiteral("All data frames after the initial data frame must have opcode 0 "
                               "(continuation)."));
            return false;
        }
        if (quint64(m_fragments.size()) + length > m_config.maxMessageBytes) {
            failDirect(CloseTooBig, QStringLiteral("Received message is too big."));
            return false;
        }
    }
    if (quint64(avail) < quint64(header) + 4 + length)
        return false; // the rest is still on its way (ActivityProbe times a slow one)
    const uchar *mask = d + header;
    const uchar *src = mask + 4;
    QByteArray payload(qsizetype(length), Qt::Uninitialized);
    auto *dst = reinterpret_cast<uchar *>(payload.data());
    for (qsizetype i = 0; i < qsizetype(length); ++i)
        dst[i] = src[i] ^ mask[i & 3];
    pos += header + 4 + qsizetype(length);

    if (control) {
        onControlFrame(opcode, std::move(payload));
        return !m_closeSent;
    }
    if (opcode != Continuation)
        m_fragmentOpcode = opcode;
    if (!fin) {
        m_fragments.append(payload);
        return true;
    }
    const quint8 kind = std::exchange(m_fragmentOpcode, quint8(0));
    QByteArray message = m_fragments.isEmpty() ? std::move(payload)
                                               : std::exchange(m_fragments, QByteArray()) + payload;
    if (kind == Text) {
        if (!isValidUtf8(message)) {
            failDirect(CloseBadData, QStringLiteral("Invalid UTF-8 code encountered."));
            return false;
        }
        onTextMessage(QString::fromUtf8(message));
    } else {
        onBinaryMessage(message);
    }
    return !m_closeSent;
}

void Session::onControlFrame(quint8 opcode, QByteArray payload)
{
    using namespace WsDirect;
    if (opcode == WsDirect::Ping) {
        // Counted as a sign of life by the ActivityProbe; answered with the same bytes.
        if (m_tcpSocket && !m_closeSent)
            m_tcpSocket->write(frame(WsDirect::Pong, payload));
        return;
    }
    if (opcode == WsDirect::Pong) {
        noteComplete();
        return;
    }
    // Close: answered with the same code and reason, then the connection is closed.
    quint16 code = CloseNormal;
    QString reason;
    if (payload.size() == 1) {
        failDirect(CloseProtocolError, QStringLiteral("Payload of close frame is too small."));
        return;
    }
    if (payload.size() >= 2) {
        code = quint16((quint8(payload.at(0)) << 8) | quint8(payload.at(1)));
        if (!isValidCloseCode(code)) {
            failDirect(CloseProtocolError,
                       QStringLiteral("Invalid close code %1 detected.").arg(code));
            return;
        }
        const QByteArrayView text = QByteArrayView(payload).sliced(2);
        if (!isValidUtf8(text)) {
            failDirect(CloseBadData, QStringLiteral("Invalid UTF-8 code encountered."));
            return;
        }
        reason = QString::fromUtf8(text);
    }
    sendDirectClose(code, reason);
}
