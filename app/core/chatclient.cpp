#include "app/core/chatclient.h"

#include "app/core/certificatetrust.h"
#include "common/codec.h"
#include "common/limits.h"
#include "common/membermodel.h"
#include "common/messagemodel.h"

#include <QElapsedTimer>
#include <QScopedValueRollback>
#include <QSslError>
#include <QUuid>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>

using namespace Confab::Protocol;

namespace {
// Server frames carry batches of up to ~256 KiB (Limits::MaxBatchBytes).
constexpr quint64 MaxIncomingBytes = 4 * 1024 * 1024;

bool isFatalClose(quint16 code)
{
    return code == quint16(CloseCode::VersionMismatch) || code == quint16(CloseCode::Replaced)
        || code == quint16(CloseCode::BadPassword);
}
} // namespace

ChatClient::ChatClient(QObject *parent)
    : QObject(parent), m_messages(new MessageModel(this)), m_members(new MemberModel(this))
{
    m_reconnectTimer.setSingleShot(true);
    // The window counts this down to the second; a coarse timer may run 5% over.
    m_reconnectTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &ChatClient::connectSocket);
    m_typingExpiry.setInterval(1000);
    connect(&m_typingExpiry, &QTimer::timeout, this, [this] {
        const qint64 now = m_monotonic.elapsed();
        const qsizetype before = m_typing.size();
        m_typing.removeIf([now](const auto &entry) { return entry.second <= now; });
        if (m_typing.size() != before)
            Q_EMIT typingChanged();
        if (m_typing.isEmpty())
            m_typingExpiry.stop();
    });
    m_monotonic.start();
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        // Resending what may already be stored is safe: the server acks a known clientId
        // again without storing it twice.
        sendPending();
    });
}

ChatClient::~ChatClient()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void ChatClient::open(const QUrl &url, const QString &nick)
{
    close();
    m_url = url;
    m_nick = nick;
    m_closing = false;
    m_everJoined = false;
    m_syncedSeq = -1;
    m_resumeToken.clear();
    m_errorString.clear();
    m_backoff.reset();
    connectSocket();
}

void ChatClient::close()
{
    stopTrying();
    setState(State::Disconnected);
}

void ChatClient::stopTrying()
{
    m_closing = true;
    m_frames.clear();
    m_reconnectTimer.stop();
    if (m_socket) {
        QWebSocket *socket = m_socket;
        m_socket = nullptr;
        socket->disconnect(this);
        socket->close();
        socket->deleteLater();
    }
}

void ChatClient::scheduleDrain()
{
    if (m_drainQueued)
        return;
    m_drainQueued = true;
    QMetaObject::invokeMethod(this, [this] { drainFrames(DrainSliceMs); }, Qt::QueuedConnection);
}

// QWebSocket hands over every whole frame it has read in one go: after a burst, thousands
// in one event-loop pass. Decoding them all there stalled the window for 90 ms (bench/
// bench_gui); a slice of a few milliseconds per pass keeps it responsive, and the messages
// of a slice go into the model as one insert (one layout of the views, in the next pass).
void ChatClient::drainFrames(int sliceMs)
{
    m_drainQueued = false;
    const QScopedValueRollback draining(m_draining, true);
    QElapsedTimer slice;
    slice.start();
    int handled = 0;
    // Bounded in time (decoding) and in count: each new row is measured (its text laid
    // out) when the views lay out next, about 35 µs a row.
    while (!m_frames.isEmpty()
           && (sliceMs < 0 || (!slice.hasExpired(sliceMs) && handled < MaxFramesPerSlice))) {
        const Frame frame = m_frames.takeFirst();
        ++handled;
        if (frame.binary)
            Q_EMIT binaryReceived(frame.bytes);
        else
            onTextMessage(frame.text);
    }
    flushIncoming();
    if (!m_frames.isEmpty())
        scheduleDrain();
}

void ChatClient::connectSocket()
{
    m_frames.clear();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingFrameSize(MaxIncomingBytes);
    m_socket->setMaxAllowedIncomingMessageSize(MaxIncomingBytes);
    connect(m_socket, &QWebSocket::connected, this, &ChatClient::onConnected);
    connect(m_socket, &QWebSocket::disconnected, this, &ChatClient::onDisconnected);
    // Frames wait in m_frames and are handled a slice per event-loop pass (drainFrames()).
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_frames.append(Frame { text, {}, false });
        scheduleDrain();
    });
    connect(m_socket, &QWebSocket::sslErrors, this, &ChatClient::onSslErrors);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &frame) {
        m_frames.append(Frame { {}, frame, true });
        scheduleDrain();
    });
    connect(m_socket, &QWebSocket::bytesWritten, this, &ChatClient::bytesWritten);
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({ QString::fromLatin1(Subprotocol) });
    setState(State::Connecting);
    m_socket->open(m_url, options);
}

void ChatClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

int ChatClient::reconnectRemainingMs() const
{
    return m_reconnectTimer.isActive() ? m_reconnectTimer.remainingTime() : 0;
}

void ChatClient::onConnected()
{
    setState(State::Joining);
    Hello hello;
    hello.nick = m_nick;
    hello.lastSeq = m_everJoined ? m_syncedSeq : -1;
    hello.resumeToken = m_resumeToken;
    hello.password = m_password;
    send(hello);
}

void ChatClient::onDisconnected()
{
    QWebSocket *socket = m_socket;
    if (!socket)
        return;
    // What arrived before the close is handled before it (an error saying why, above all).
    // Unless the close comes from handling one of those frames: then the rest is dropped,
    // not handled inside that handler. Nothing is lost by that: chat messages come again
    // on resume (the last seq handled is what it asks from), downloads go on from the
    // bytes written.
    if (m_draining)
        m_frames.clear();
    else
        drainFrames(-1);
    const quint16 code = quint16(socket->closeCode());
    const QString reason = socket->closeReason();
    if (!reason.isEmpty())
        m_errorString = reason;
    else if (socket->error() != QAbstractSocket::UnknownSocketError)
        m_errorString = socket->errorString();
    else
        m_errorString = tr("The connection closed (code %1).").arg(code);
    m_socket = nullptr;
    socket->disconnect(this);
    socket->deleteLater();
    m_loadingOlder = false;
    m_catchingUp = false;
    if (m_closing)
        return setState(State::Disconnected);
    if (isFatalClose(code)) {
        stopForGood(QStringLiteral("closed"),
                    reason.isEmpty() ? tr("The room closed the connection (code %1).").arg(code)
                                     : reason);
        return;
    }
    if (m_state == State::Joined) {
        flushIncoming();
        m_messages->addEvent(MessageModel::Kind::Info, tr("Connection lost."), now());
        m_members->clear();
    }
    const int delay = m_backoff.next();
    m_reconnectTimer.start(delay);
    setState(State::WaitingToReconnect);
    Q_EMIT reconnectScheduled(delay);
}

void ChatClient::stopForGood(const QString &code, const QString &message)
{
    stopTrying();
    m_errorString = message;
    flushIncoming();
    m_messages->addEvent(MessageModel::Kind::Info, message, now());
    setState(State::Disconnected);
    Q_EMIT errorReceived(code, message, true);
}

void ChatClient::send(const ClientMessage &message)
{
    if (m_socket)
        m_socket->sendTextMessage(QString::fromUtf8(Confab::Codec::encode(message)));
}

bool ChatClient::sendRequest(const ClientMessage &message)
{
    if (!m_socket || m_state != State::Joined)
        return false;
    send(message);
    return true;
}

bool ChatClient::sendBinary(const QByteArray &frame)
{
    if (!m_socket || m_state != State::Joined)
        return false;
    m_socket->sendBinaryMessage(frame);
    return true;
}

qint64 ChatClient::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void ChatClient::abortConnection()
{
    if (m_socket)
        m_socket->abort();
}

QString ChatClient::sendMessage(const QString &text, const QString &to, const QString &replyTo)
{
    Outgoing out { QUuid::createUuid().toString(QUuid::WithoutBraces), text, to, replyTo };
    m_outbox.append(out);
    m_messages->addPending(out.clientId, m_nick, text, now(), to, replyTo);
    sendPending();
    m_typingSentMs = -1; // others stop showing us as typing when the message arrives
    return out.clientId;
}

void ChatClient::editMessage(const QString &id, const QString &text)
{
    send(EditMessage { id, text });
}

void ChatClient::deleteMessage(const QString &id)
{
    send(DeleteMessage { id });
}

void ChatClient::react(const QString &id, const QString &emoji, bool add)
{
    send(React { id, emoji, add });
}

void ChatClient::search(const QString &query, int limit)
{
    send(SearchRequest { query, limit });
}

void ChatClient::handle(const MessageUpdated &m)
{
    // Only a message this client holds can change in its view; others arrive with history.
    if (m_messages->containsSeq(m.message.seq))
        m_messages->addMessage(m.message);
}

void ChatClient::handle(const SearchResults &m)
{
    Q_EMIT searchResults(m.query, m.messages);
}

void ChatClient::setTyping(bool typing)
{
    if (m_state != State::Joined)
        return;
    constexpr qint64 RefreshMs = 3000;
    const qint64 now = m_monotonic.elapsed();
    if (typing && (m_typingSentMs < 0 || now - m_typingSentMs >= RefreshMs)) {
        m_typingSentMs = now;
        send(SetTyping { true });
    } else if (!typing && m_typingSentMs >= 0) {
        m_typingSentMs = -1;
        send(SetTyping { false });
    }
}

void ChatClient::setAway(bool away)
{
    if (m_away == away)
        return;
    m_away = away;
    if (m_state == State::Joined)
        send(SetPresence { QString::fromLatin1(away ? Status::Away : Status::Online) });
}

QStringList ChatClient::typingNicks() const
{
    QStringList nicks;
    for (const auto &entry : m_typing)
        nicks.append(entry.first);
    return nicks;
}

bool ChatClient::isSelf(const QString &nick) const
{
    return nick.compare(m_nick, Qt::CaseInsensitive) == 0;
}

void ChatClient::forgetTyping(const QString &nick)
{
    const qsizetype removed =
        m_typing.removeIf([&](const auto &entry) { return entry.first == nick; });
    if (removed)
        Q_EMIT typingChanged();
}

void ChatClient::handle(const Typing &m)
{
    if (isSelf(m.nick))
        return;
    if (!m.active)
        return forgetTyping(m.nick);
    // A notice is good for a few seconds; the typist refreshes it every three.
    constexpr qint64 StaleMs = 6000;
    const qint64 until = m_monotonic.elapsed() + StaleMs;
    for (auto &entry : m_typing) {
        if (entry.first == m.nick) {
            entry.second = until;
            return;
        }
    }
    m_typing.append({ m.nick, until });
    if (!m_typingExpiry.isActive())
        m_typingExpiry.start();
    Q_EMIT typingChanged();
}

void ChatClient::handle(const PresenceChanged &m)
{
    m_members->setStatus(m.nick, m.status);
}

void ChatClient::sendPending()
{
    // A bounded window of unacknowledged messages: a long paste is sent as acks come back,
    // so it never looks like a flood to the server's rate limit.
    if (m_state != State::Joined || m_retryTimer.isActive())
        return;
    for (const Outgoing &out : std::as_const(m_outbox)) {
        // Once the room has asked to wait, one at a time until the outbox is empty: a later
        // message must not be stored before an earlier one that is being resent.
        if (m_inFlight.size() >= (m_rateLimited ? 1 : MaxInFlight))
            break;
        if (m_inFlight.contains(out.clientId))
            continue;
        m_inFlight.insert(out.clientId);
        send(SendChat { out.clientId, out.text, out.to, out.replyTo });
    }
}

void ChatClient::takeFromOutbox(const QString &clientId)
{
    m_inFlight.remove(clientId);
    if (m_outbox.size() <= 1)
        m_rateLimited = false;
    for (qsizetype i = 0; i < m_outbox.size(); ++i) {
        if (m_outbox.at(i).clientId == clientId) {
            m_outbox.removeAt(i);
            break;
        }
    }
}

void ChatClient::requestOlder(int limit)
{
    if (m_state != State::Joined || m_loadingOlder || !m_hasOlder)
        return;
    flushIncoming();
    const qint64 first = m_messages->firstSeq();
    if (first <= 1) {
        m_hasOlder = false;
        return;
    }
    m_loadingOlder = true;
    HistoryRequest request;
    request.before = first;
    request.limit = qBound(1, limit, Confab::Limits::MaxHistoryPage);
    send(request);
}

void ChatClient::onTextMessage(const QString &text)
{
    auto decoded = Confab::Codec::decodeServer(text.toUtf8());
    if (!decoded.ok()) {
        qWarning("confab: ignoring a message from the server: %s",
                 qPrintable(decoded.error.message));
        return;
    }
    if (const auto *chat = std::get_if<ChatMessage>(&*decoded.value)) {
        handle(*chat);
        return;
    }
    // Anything else may refer to a message still waiting: the model has it first.
    flushIncoming();
    std::visit([this](const auto &m) { handle(m); }, *decoded.value);
}

void ChatClient::flushIncoming()
{
    if (m_incoming.isEmpty())
        return;
    m_messages->addMessages(std::exchange(m_incoming, {}));
}

void ChatClient::handle(const Welcome &m)
{
    const bool rejoin = m_everJoined;
    m_nick = m.nick;
    m_roomName = m.room;
    m_resumeToken = m.resumeToken;
    m_errorString.clear();
    m_members->setSelf(m.nick);
    m_members->setMembers(m.members);
    m_messages->addMessages(m.history);
    if (!rejoin)
        m_hasOlder = m.hasOlder;
    m_everJoined = true;
    m_backoff.reset();
    if (m.hasNewer && !m.history.isEmpty()) {
        // More was missed than fits one frame: fetch the rest before counting as synced.
        m_syncedSeq = m.history.last().seq;
        m_catchingUp = true;
        HistoryRequest request;
        request.after = m_syncedSeq;
        request.limit = Confab::Limits::MaxHistoryPage;
        send(request);
    } else {
        m_syncedSeq = m.lastSeq;
    }
    m_messages->addEvent(MessageModel::Kind::Info,
                         rejoin ? tr("Reconnected to %1 as %2.").arg(m.room, m.nick)
                                : tr("You joined %1 as %2.").arg(m.room, m.nick),
                         now());
    m_typingSentMs = -1;
    if (!m_typing.isEmpty()) {
        m_typing.clear();
        Q_EMIT typingChanged();
    }
    setState(State::Joined);
    if (m_away)
        send(SetPresence { QString::fromLatin1(Status::Away) });
    m_inFlight.clear();
    sendPending();
    Q_EMIT joined();
}

void ChatClient::handle(const ChatMessage &m)
{
    m_incoming.append(m); // into the model at the end of the slice (drainFrames)
    forgetTyping(m.from);
    // Live messages arrive in order right after the welcome; while catching up they sit
    // beyond a gap, so they do not advance what this client can resume from.
    if (!m_catchingUp && m.seq > m_syncedSeq)
        m_syncedSeq = m.seq;
}

void ChatClient::handle(const Ack &m)
{
    takeFromOutbox(m.clientId);
    m_messages->acknowledge(m.clientId, m.id, m.seq);
    Q_EMIT messageAcked(m.clientId, m.seq);
    sendPending();
}

void ChatClient::handle(const Joined &m)
{
    m_members->addMember(Member { m.nick });
    m_messages->addEvent(MessageModel::Kind::Joined, tr("%1 joined.").arg(m.nick), m.time);
}

void ChatClient::handle(const Left &m)
{
    m_members->removeMember(m.nick);
    forgetTyping(m.nick);
    m_messages->addEvent(MessageModel::Kind::Left, tr("%1 left.").arg(m.nick), m.time);
}

void ChatClient::handle(const Members &m)
{
    m_members->setMembers(m.members);
}

void ChatClient::handle(const HistoryPage &m)
{
    m_messages->addMessages(m.messages);
    if (m.after >= 0) {
        if (!m.messages.isEmpty())
            m_syncedSeq = qMax(m_syncedSeq, m.messages.last().seq);
        if (m.hasMore && !m.messages.isEmpty()) {
            HistoryRequest request;
            request.after = m.messages.last().seq;
            request.limit = Confab::Limits::MaxHistoryPage;
            send(request);
        } else {
            m_catchingUp = false;
            m_syncedSeq = qMax(m_syncedSeq, m_messages->lastSeq());
        }
        return;
    }
    m_loadingOlder = false;
    m_hasOlder = m.hasMore;
    Q_EMIT olderLoaded(int(m.messages.size()));
}

void ChatClient::handle(const Error &m)
{
    if (!m.uploadId.isEmpty() || !m.fileId.isEmpty()) {
        Q_EMIT fileErrorReceived(m.code, m.message, m.uploadId, m.fileId, m.offset, m.retryAfterMs);
        return;
    }
    // "Not now" is not "never": the message stays in the outbox, shown as sending, and
    // goes again once the server's wait is over.
    if (!m.clientId.isEmpty()
        && (m.code == QLatin1String(ErrorCode::RateLimited)
            || m.code == QLatin1String(ErrorCode::StoreFailed))) {
        m_inFlight.remove(m.clientId);
        m_rateLimited = true;
        if (!m_retryTimer.isActive())
            m_retryTimer.start(int(qBound(qint64(100), m.retryAfterMs, qint64(30000))));
        Q_EMIT errorReceived(m.code, m.message, false);
        return;
    }
    if (!m.clientId.isEmpty()) {
        takeFromOutbox(m.clientId);
        m_messages->fail(m.clientId, m.message);
        sendPending();
        Q_EMIT errorReceived(m.code, m.message, false);
        return;
    }
    // Refusals of the hello end the attempt: retrying the same nickname cannot help.
    if (m_state == State::Joining
        && (m.code == QLatin1String(ErrorCode::NickTaken)
            || m.code == QLatin1String(ErrorCode::NickInvalid)
            || m.code == QLatin1String(ErrorCode::BadPassword)
            || m.code == QLatin1String(ErrorCode::VersionMismatch))) {
        stopForGood(m.code, m.message);
        return;
    }
    Q_EMIT errorReceived(m.code, m.message, false);
}

void ChatClient::handle(const Ping &m)
{
    send(Pong { m.token });
}

void ChatClient::onSslErrors(const QList<QSslError> &errors)
{
    if (!m_socket)
        return;
    // A room's self-signed certificate fails by issuer (and by name, when joined by an
    // address it does not list); the pin stands in for a CA there. Any other fault, such as
    // an expired certificate or a bad signature, is not forgiven.
    static constexpr QSslError::SslError pinnable[] = {
        QSslError::SelfSignedCertificate,
        QSslError::SelfSignedCertificateInChain,
        QSslError::UnableToGetLocalIssuerCertificate,
        QSslError::UnableToGetIssuerCertificate,
        QSslError::UnableToVerifyFirstCertificate,
        QSslError::CertificateUntrusted,
        QSslError::HostNameMismatch,
    };
    bool onlyPinnable = !errors.isEmpty();
    // QWebSocket passes on the peer's certificate; the errors name it too.
    QSslCertificate certificate = m_socket->sslConfiguration().peerCertificate();
    QStringList reasons;
    for (const QSslError &e : errors) {
        if (std::find(std::begin(pinnable), std::end(pinnable), e.error()) == std::end(pinnable))
            onlyPinnable = false;
        if (certificate.isNull())
            certificate = e.certificate();
        reasons.append(e.errorString());
    }
    const QString hostPort = CertificateTrust::hostPort(m_url);
    if (!m_trust || !onlyPinnable || certificate.isNull()) {
        // Qt ends this handshake; the next attempt follows the backoff.
        Q_EMIT errorReceived(QStringLiteral("certificate-untrusted"),
                             tr("The certificate of %1 is not trusted: %2")
                                 .arg(hostPort, reasons.join(QLatin1String("; "))),
                             false);
        return;
    }
    const QString known = m_trust->knownFingerprint(hostPort);
    switch (m_trust->check(hostPort, certificate)) {
    case CertificateTrust::Decision::Trusted:
        m_socket->ignoreSslErrors(errors);
        return;
    case CertificateTrust::Decision::FirstUse:
        m_socket->ignoreSslErrors(errors);
        Q_EMIT certificateFirstSeen(hostPort, CertificateTrust::fingerprint(certificate));
        return;
    case CertificateTrust::Decision::Changed:
        break;
    }
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
    stopForGood(QStringLiteral("certificate-changed"),
                tr("The certificate of %1 is not the one it had when you last joined, so Confab "
                   "did not connect: another machine may be posing as the room. It was %2 and "
                   "is now %3. If the host made a new certificate, forget the old one and join "
                   "again.")
                    .arg(hostPort, known, CertificateTrust::fingerprint(certificate)));
}
