#include "server/room.h"

#include "common/codec.h"
#include "common/filechunk.h"
#include "server/filestore.h"
#include "common/limits.h"
#include "common/nickname.h"
#include "server/historystore.h"
#include "server/localfanout.h"
#include "server/session.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>
#include <QUuid>

#include <algorithm>

#ifdef __GLIBC__
#include <malloc.h>
#endif

Q_LOGGING_CATEGORY(lcRoom, "confab.room")

using namespace Confab::Protocol;

namespace {

QString newToken()
{
    quint64 words[2];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof words)
                                   .toBase64(QByteArray::Base64UrlEncoding
                                             | QByteArray::OmitTrailingEquals));
}

qsizetype estimatedBytes(const ChatMessage &m)
{
    // UTF-8 takes at most 3 bytes per UTF-16 unit, and text holds no control characters
    // that JSON would escape longer (they are refused).
    qsizetype bytes = 3 * (m.text.size() + m.from.size() + m.to.size()) + m.replyTo.size() + 160;
    for (const Confab::Protocol::Reaction &r : m.reactions) {
        bytes += 3 * r.emoji.size() + 30;
        for (const QString &nick : r.nicks)
            bytes += 3 * nick.size() + 6;
    }
    return bytes;
}

} // namespace

Room::Room(const ServerConfig &config, HistoryStore *store, QObject *parent)
    : QObject(parent), m_config(config), m_store(store), m_fanout(std::make_unique<LocalFanout>())
{
    m_trimTimer.setSingleShot(true);
    m_trimTimer.setInterval(TrimPauseMs);
    connect(&m_trimTimer, &QTimer::timeout, this, [this] {
        m_freedSinceTrim = 0;
#ifdef __GLIBC__
        malloc_trim(0);
#endif
    });
}

Room::~Room() = default;

void Room::addSession(Session *session)
{
    const bool full = m_sessions.size() >= m_config.maxClients;
    m_sessions.insert(session);
    // The handshake's read chunk is empty now, and most connections then sit idle.
    noteFreed(session->releaseIdleBuffers() ? 1 : 0);
    connect(session, &Session::closed, this, &Room::onSessionClosed);
    // Refused before anything else happens (a guest would otherwise be greeted first).
    if (full) {
        session->sendError(ErrorCode::ServerFull,
                           tr("The room is full (%1 connections); try again later.")
                               .arg(m_config.maxClients));
        session->close(CloseCode::ServerFull, QStringLiteral("room full"));
        return;
    }
    if (!session->isGuest())
        return;
    // A guest has no way to give a password: a room with one is for its members only.
    if (m_config.password.isSet()) {
        session->sendError(ErrorCode::BadPassword,
                           tr("This room needs a password; join it from Confab or from the "
                              "room's own web page."));
        session->close(CloseCode::BadPassword, QStringLiteral("password needed"));
        return;
    }
    joinGuest(session);
}

void Room::joinGuest(Session *session)
{
    QString nick;
    do {
        nick = QStringLiteral("guest-%1").arg(m_nextGuest++);
    } while (m_members.contains(Confab::Nickname::key(nick)));
    const QString key = Confab::Nickname::key(nick);
    session->setJoined(nick, key, QString());
    m_members.insert(key, session);

    // A plain page shows only what comes back: greet it, and give it the recent history.
    const HistoryStore::Page recent = m_store->latest(20, key);
    for (const ChatMessage &m : recent.messages) {
        if (!m.deleted)
            session->sendFrame(plainLine(m));
    }
    // Name a few of the others, not all: in a big room the list would be most of the line.
    constexpr int NamesShown = 10;
    QStringList others;
    for (const Session *s : std::as_const(m_members)) {
        if (s != session && others.size() < NamesShown)
            others.append(s->nick());
    }
    const qsizetype more = m_members.size() - 1 - others.size();
    if (others.isEmpty())
        session->sendFrame(tr("Welcome to %1. You are %2; nobody else is here yet.")
                               .arg(m_config.roomName, nick));
    else if (more == 0)
        session->sendFrame(tr("Welcome to %1. You are %2. Here: %3.")
                               .arg(m_config.roomName, nick, others.join(QStringLiteral(", "))));
    else
        session->sendFrame(tr("Welcome to %1. You are %2. Here: %3 and %n more.", nullptr, int(more))
                               .arg(m_config.roomName, nick, others.join(QStringLiteral(", "))));
    broadcast(Joined { nick, now() });
    qCInfo(lcRoom).noquote() << "joined:" << nick << "(plain WebSocket) from" << session->peer()
                             << QStringLiteral("(%1 in the room)").arg(m_members.size());
    Q_EMIT memberJoined(nick);
    m_fanout->add(session);
}

void Room::onTyping(Session *session, const bool active)
{
    // To everyone, the typist included: one frame for all, and clients skip their own.
    broadcast(Typing { session->nick(), active });
}

void Room::onPresence(Session *session, const QString &status)
{
    if (session->status() == status)
        return;
    session->setStatus(status);
    broadcast(PresenceChanged { session->nick(), status });
}

void Room::onGuestText(Session *session, const QString &text)
{
    if (text.trimmed().isEmpty())
        return;
    const QString clientId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    post(session, clientId, text);
}

QString Room::plainLine(const ServerMessage &message) const
{
    if (const auto *chat = std::get_if<ChatMessage>(&message)) {
        if (!chat->file.isEmpty())
            return tr("%1 shared the file \"%2\".").arg(chat->from, chat->file.name);
        return chat->from + QStringLiteral(": ") + chat->text;
    }
    // Guests keep no member list, so in a big room every arrival and departure would only
    // flood them (and cost the room N^2 frames as it fills): there they hear only chat.
    if (m_members.size() > GuestJoinNoticesUpTo)
        return {};
    if (const auto *joined = std::get_if<Joined>(&message))
        return tr("%1 joined.").arg(joined->nick);
    if (const auto *left = std::get_if<Left>(&message))
        return tr("%1 left.").arg(left->nick);
    return {};
}

QList<Member> Room::members() const
{
    QList<Member> list;
    list.reserve(m_members.size());
    for (const Session *s : m_members)
        list.append(Member { s->nick(), s->status() });
    return list;
}

bool Room::trimToBudget(QList<ChatMessage> &messages, Keep keep)
{
    qsizetype total = 0;
    qsizetype fit = 0;
    // Walk from the end we keep; at least one message always fits (a text is < 64 KiB).
    for (qsizetype i = 0; i < messages.size(); ++i) {
        const ChatMessage &m = keep == Keep::Newest ? messages.at(messages.size() - 1 - i)
                                                    : messages.at(i);
        total += estimatedBytes(m);
        if (total > Confab::Limits::MaxBatchBytes && fit > 0)
            break;
        ++fit;
    }
    if (fit == messages.size())
        return false;
    if (keep == Keep::Newest)
        messages.remove(0, messages.size() - fit);
    else
        messages.resize(fit);
    return true;
}

qint64 Room::passwordDelayMs(int failures)
{
    // Nothing for a first try; then 0.25 s, 0.5 s, 1 s ... up to 30 s before each check.
    return failures == 0 ? 0 : std::min<qint64>(30000, 250LL << std::min(failures - 1, 7));
}

void Room::checkPassword(Session *session, const Hello &hello)
{
    const QString address = session->peerAddress().toString();
    const qint64 now = Session::monotonicMs();
    Guesses &g = m_guesses[address];
    if (now - g.lastMs > 10 * 60 * 1000) // forget mistakes after ten quiet minutes
        g.failures = 0;
    // One check at a time per address: pipelined or parallel guesses wait their turn
    // rather than each costing a hash (and each getting the short delay).
    if (g.checking) {
        session->sendError(ErrorCode::BadPassword,
                           tr("Another password check from your address is under way; try "
                              "again in a moment."),
                           {}, std::max<qint64>(1000, passwordDelayMs(g.failures)));
        session->close(CloseCode::BadPassword, QStringLiteral("password check under way"));
        return;
    }
    g.checking = true;
    // Nothing else this connection sends counts until the verdict.
    session->setAwaitingVerdict(true);
    session->stopHelloTimer();
    QPointer<Session> guard(session);
    QTimer::singleShot(passwordDelayMs(g.failures), this, [this, guard, address, hello] {
        Guesses &g = m_guesses[address];
        g.checking = false;
        if (!guard || guard->isClosed())
            return;
        if (m_config.password.matches(hello.password)) {
            g.failures = 0;
            guard->setAwaitingVerdict(false);
            admit(guard, hello);
            return;
        }
        ++g.failures;
        g.lastMs = Session::monotonicMs();
        const qint64 next = passwordDelayMs(g.failures);
        qCInfo(lcRoom).noquote() << "wrong password from" << guard->peer() << "- the next check"
                                 << "from there waits" << next << "ms";
        guard->sendError(ErrorCode::BadPassword,
                         hello.password.isEmpty() ? tr("This room needs a password.")
                                                  : tr("The password is not right."),
                         {}, next);
        guard->close(CloseCode::BadPassword, QStringLiteral("wrong password"));
    });
}

void Room::onHello(Session *session, const Hello &hello)
{
    if (hello.version != Version) {
        session->sendError(ErrorCode::VersionMismatch,
                           tr("This room speaks Confab protocol version %1; your program "
                              "speaks version %2. Update the older of the two.")
                               .arg(Version)
                               .arg(hello.version));
        session->close(CloseCode::VersionMismatch, QStringLiteral("protocol version mismatch"));
        return;
    }
    if (m_config.password.isSet()) {
        checkPassword(session, hello);
        return;
    }
    admit(session, hello);
}

void Room::admit(Session *session, const Hello &hello)
{
    const Confab::Nickname::Checked checked = Confab::Nickname::check(hello.nick);
    if (!checked.ok()) {
        session->sendError(ErrorCode::NickInvalid, checked.error);
        return;
    }
    const QString key = Confab::Nickname::key(checked.nick);
    QString token = newToken();
    bool resumed = false;
    QString resumedStatus;
    if (Session *existing = m_members.value(key)) {
        // The same person coming back before their old connection timed out: the token
        // from their last welcome proves it. Anyone else gets a clear refusal.
        if (hello.resumeToken.isEmpty() || hello.resumeToken != existing->resumeToken()) {
            session->sendError(ErrorCode::NickTaken,
                               tr("The nickname \"%1\" is already in use in this room.")
                                   .arg(existing->nick()));
            return;
        }
        m_members.remove(key);
        m_fanout->remove(existing);
        disconnect(existing, &Session::closed, this, &Room::onSessionClosed);
        m_sessions.remove(existing);
        existing->close(CloseCode::Replaced, QStringLiteral("replaced by a new connection"));
        connect(existing, &Session::closed, existing, &QObject::deleteLater);
        token = existing->resumeToken();
        resumedStatus = existing->status();
        resumed = true;
    }

    session->setJoined(checked.nick, key, token);
    m_members.insert(key, session);

    Welcome welcome;
    welcome.room = m_config.roomName;
    welcome.nick = checked.nick;
    welcome.members = members();
    welcome.lastSeq = m_store->lastSeq();
    welcome.resumeToken = token;
    if (hello.lastSeq >= 0) {
        HistoryStore::Page missed =
            m_store->after(hello.lastSeq, Confab::Limits::MaxHistoryPage, key);
        // Trim first, always: with `||` a full page (hasMore) skipped the trim, and 100 long
        // messages made a welcome over the send bound, so every fresh join was dropped (4005).
        const bool trimmed = trimToBudget(missed.messages, Keep::Oldest);
        welcome.hasNewer = missed.hasMore || trimmed;
        welcome.history = missed.messages;
        welcome.hasOlder = true; // the client already holds what came before
    } else {
        HistoryStore::Page recent = m_store->latest(m_config.welcomeHistory, key);
        const bool trimmed = trimToBudget(recent.messages, Keep::Newest); // always (see above)
        welcome.hasOlder = recent.hasMore || trimmed;
        welcome.history = recent.messages;
    }
    session->send(welcome);

    if (!resumed) {
        broadcast(Joined { checked.nick, now() });
        qCInfo(lcRoom).noquote() << "joined:" << checked.nick << "from" << session->peer()
                                 << QStringLiteral("(%1 in the room)").arg(m_members.size());
        Q_EMIT memberJoined(checked.nick);
    } else {
        qCInfo(lcRoom).noquote() << "resumed:" << checked.nick << "from" << session->peer();
        // The new connection starts online; if the old one was away, say it is back (a
        // client that is still away says so again right after its welcome).
        if (resumedStatus != QLatin1String(Status::Online))
            broadcast(PresenceChanged { checked.nick, QString::fromLatin1(Status::Online) });
    }
    m_fanout->add(session);
}

void Room::onChat(Session *session, const SendChat &chat)
{
    post(session, chat.clientId, chat.text, chat.to, chat.replyTo);
}

bool Room::post(Session *session, const QString &clientId, const QString &text,
                const QString &to, const QString &replyTo)
{
    Session *recipient = nullptr;
    if (!to.isEmpty()) {
        // A resend of a direct message already stored is acked again, whoever is here now.
        if (const HistoryStore::Appended already = m_store->stored(session->nickKey(), clientId);
            already.ok)
            return afterStore(session, clientId, already, nullptr);
        // A direct message goes to someone here now, and not to a guest (whose name is
        // handed out again after a restart) nor to oneself.
        recipient = m_members.value(Confab::Nickname::key(to));
        if (!recipient || recipient->isGuest() || recipient == session) {
            session->sendError(ErrorCode::NotFound,
                               recipient == session
                                   ? tr("A direct message goes to someone else.")
                                   : tr("Nobody called \"%1\" can receive a direct message "
                                        "here now.")
                                         .arg(to),
                               clientId);
            return false;
        }
    }
    if (!replyTo.isEmpty()
        && m_store->message(replyTo, session->nickKey()).result != HistoryStore::Change::Done) {
        session->sendError(ErrorCode::NotFound, tr("The message you reply to is not there."),
                           clientId);
        return false;
    }
    if (!checkText(session, text, clientId))
        return false;
    const HistoryStore::Appended stored = m_store->append(HistoryStore::NewMessage {
        session->nick(), session->nickKey(), clientId, text, now(),
        recipient ? recipient->nick() : QString(), recipient ? recipient->nickKey() : QString(),
        replyTo });
    return afterStore(session, clientId, stored, recipient);
}

bool Room::checkText(Session *session, const QString &text, const QString &clientId)
{
    if (text.trimmed().isEmpty()) {
        session->sendError(ErrorCode::TextEmpty, tr("A message cannot be empty."), clientId);
        return false;
    }
    // Control characters have no business in chat text (\n and \t aside), and refusing
    // them keeps JSON escaping from growing a message past the batch budget's estimate.
    const bool hasControl = std::any_of(text.cbegin(), text.cend(), [](QChar c) {
        return c.category() == QChar::Other_Control && c != QLatin1Char('\n')
            && c != QLatin1Char('\t') && c != QLatin1Char('\r');
    });
    if (hasControl) {
        session->sendError(ErrorCode::TextInvalid,
                           tr("A message cannot contain control characters."), clientId);
        return false;
    }
    if (text.size() > m_config.maxTextLength) {
        session->sendError(ErrorCode::TextTooLong,
                           tr("A message can have at most %1 characters; this one has %2.")
                               .arg(m_config.maxTextLength)
                               .arg(text.size()),
                           clientId);
        return false;
    }
    return true;
}

void Room::dropTrimmedFiles(const HistoryStore::Appended &stored)
{
    // Their messages are gone from history: nobody can ask for them any more. (A download
    // under way keeps its open file to the end.)
    for (const QString &fileId : stored.trimmedFiles)
        m_files->removeFile(fileId);
}

bool Room::afterStore(Session *session, const QString &clientId,
                      const HistoryStore::Appended &stored, Session *recipient)
{
    if (!stored.ok) {
        qCWarning(lcRoom).noquote() << "could not store a message:" << m_store->errorString();
        session->sendError(ErrorCode::StoreFailed,
                           tr("The room could not store this message; try again."), clientId);
        return false;
    }
    dropTrimmedFiles(stored);
    // Ack after the commit: from here on the message survives a crash of this process.
    if (!session->isGuest())
        session->send(Ack { clientId, stored.message.id, stored.message.seq });
    if (stored.duplicate)
        return true;
    if (recipient)
        deliverPrivately(stored.message, session, recipient);
    else
        broadcast(stored.message);
    Q_EMIT messagePosted(stored.message);
    return true;
}

void Room::deliverPrivately(const ServerMessage &message, Session *a, Session *b)
{
    const EncodedFrame frame = EncodedFrame::text(Confab::Codec::encode(message));
    if (a)
        a->sendEncoded(frame);
    if (b && b != a)
        b->sendEncoded(frame);
}

void Room::publishChange(Session *session, const HistoryStore::Changed &changed, const char *what)
{
    switch (changed.result) {
    case HistoryStore::Change::Done:
        break;
    case HistoryStore::Change::NotFound:
        session->sendError(ErrorCode::NotFound, tr("That message is not there (any more)."));
        return;
    case HistoryStore::Change::NotAllowed:
        session->sendError(ErrorCode::NotAllowed,
                           tr("Only the sender of a message can %1 it.")
                               .arg(QCoreApplication::translate("Room", what)));
        return;
    case HistoryStore::Change::Full:
        session->sendError(ErrorCode::NotAllowed,
                           tr("A message can carry at most %1 different reactions.")
                               .arg(Confab::Limits::MaxReactionKinds));
        return;
    case HistoryStore::Change::Failed:
        qCWarning(lcRoom).noquote() << "could not change a message:" << m_store->errorString();
        session->sendError(ErrorCode::StoreFailed, tr("The room could not store the change; try again."));
        return;
    }
    const MessageUpdated update { changed.message };
    if (changed.recipientKey.isEmpty()) {
        broadcast(update);
        return;
    }
    // A direct message's change reaches its two parties, wherever they are.
    deliverPrivately(update, m_members.value(changed.senderKey),
                     m_members.value(changed.recipientKey));
}

void Room::onEdit(Session *session, const EditMessage &edit)
{
    if (!checkText(session, edit.text, {}))
        return;
    publishChange(session, m_store->edit(edit.id, session->nickKey(), edit.text),
                  QT_TRANSLATE_NOOP("Room", "edit"));
}

void Room::onDelete(Session *session, const DeleteMessage &del)
{
    // A deleted message's file goes too (a download under way still reads to its end).
    const QString fileId = m_store->message(del.id, session->nickKey()).message.file.id;
    const HistoryStore::Changed changed = m_store->remove(del.id, session->nickKey());
    if (changed.result == HistoryStore::Change::Done && m_files && !fileId.isEmpty())
        m_files->removeFile(fileId);
    publishChange(session, changed, QT_TRANSLATE_NOOP("Room", "delete"));
}

void Room::onReact(Session *session, const React &react)
{
    publishChange(session,
                  m_store->react(react.id, session->nick(), session->nickKey(), react.emoji,
                                 react.add),
                  QT_TRANSLATE_NOOP("Room", "react to"));
}

void Room::onSearch(Session *session, const SearchRequest &search)
{
    QList<ChatMessage> found = m_store->search(search.query, search.limit, session->nickKey());
    trimToBudget(found, Keep::Oldest); // newest first: keep the front
    session->send(SearchResults { search.query, found });
}

void Room::onHistory(Session *session, const HistoryRequest &request)
{
    HistoryPage page;
    page.before = request.before;
    page.after = request.after;
    if (request.before >= 0) {
        HistoryStore::Page p = m_store->before(request.before, request.limit, session->nickKey());
        const bool trimmed = trimToBudget(p.messages, Keep::Newest); // always (see admit())
        page.hasMore = p.hasMore || trimmed;
        page.messages = p.messages;
    } else {
        HistoryStore::Page p = m_store->after(request.after, request.limit, session->nickKey());
        const bool trimmed = trimToBudget(p.messages, Keep::Oldest); // always (see admit())
        page.hasMore = p.hasMore || trimmed;
        page.messages = p.messages;
    }
    session->send(page);
}

void Room::closeAll(CloseCode code, const QString &reason)
{
    if (m_sessions.isEmpty()) {
        Q_EMIT allSessionsClosed();
        return;
    }
    const QSet<Session *> sessions = m_sessions;
    for (Session *s : sessions)
        s->close(code, reason);
}

void Room::sweep()
{
    const qint64 now = Session::monotonicMs();
    const QSet<Session *> sessions = m_sessions;
    int freed = 0;
    for (Session *s : sessions) {
        s->sweep(now);
        freed += s->releaseIdleBuffers() ? 1 : 0;
    }
    noteFreed(freed);
}

void Room::noteFreed(int connections)
{
    // glibc keeps freed memory resident until trimmed, so after a wave of joins or leaves
    // the buffers given back would still count page for page. A trim walks the free lists,
    // so it runs only after a real amount was freed, once the wave has paused.
    m_freedSinceTrim += connections;
    if (m_freedSinceTrim >= TrimAfterFreed)
        m_trimTimer.start();
}

void Room::onSessionClosed(Session *session)
{
    m_sessions.remove(session);
    noteFreed(1);
    if (session->isJoined() && m_members.value(session->nickKey()) == session) {
        m_members.remove(session->nickKey());
        m_fanout->remove(session);
        broadcast(Left { session->nick(), now() });
        qCInfo(lcRoom).noquote() << "left:" << session->nick()
                                 << QStringLiteral("(%1 in the room)").arg(m_members.size());
        Q_EMIT memberLeft(session->nick());
    }
    session->deleteLater();
    if (m_sessions.isEmpty())
        Q_EMIT allSessionsClosed();
}

void Room::broadcast(const ServerMessage &message)
{
    // Serialised once per wire form; every member gets the same (implicitly shared) string.
    FanoutFrames frames;
    frames.json = EncodedFrame::text(Confab::Codec::encode(message));
    if (m_fanout->hasGuests())
        if (const QString plain = plainLine(message); !plain.isEmpty())
            frames.plain = EncodedFrame::text(plain);
    m_fanout->deliver(frames);
}

void Room::onFileStart(Session *session, const FileStart &start)
{
    if (!m_files) {
        session->sendFileError(ErrorCode::NotAllowed, tr("This room does not take files."),
                               start.uploadId);
        return;
    }
    QHash<QString, Session::Upload> &uploads = session->uploads();
    // The same upload announced again on this connection starts over from what is held.
    if (const auto it = uploads.constFind(start.uploadId); it != uploads.cend()) {
        m_files->release(session, it->key, FileStore::Partial::Keep);
        uploads.erase(it);
    }
    // Finished already (the client missed fileDone when its connection dropped).
    const QString clientId = QStringLiteral("file:") + start.uploadId;
    if (const HistoryStore::Appended done = m_store->stored(session->nickKey(), clientId); done.ok) {
        session->send(FileDone { start.uploadId, done.message.file.id, done.message.seq });
        return;
    }
    if (uploads.size() >= m_config.maxUploadsPerSession) {
        session->sendFileError(ErrorCode::TooManyUploads,
                               tr("At most %n uploads can be under way at once.", nullptr,
                                  m_config.maxUploadsPerSession),
                               start.uploadId);
        return;
    }
    if (start.size > m_files->maxFileSize()) {
        session->sendFileError(ErrorCode::FileTooBig,
                               tr("A file can have at most %1 bytes; this one has %2.")
                                   .arg(m_files->maxFileSize())
                                   .arg(start.size),
                               start.uploadId);
        return;
    }
    Session::Upload upload;
    upload.start = start;
    upload.start.name = Confab::FileChunk::displayName(start.name);
    upload.start.sha256 = start.sha256.toLower();
    if (!start.to.isEmpty()) {
        Session *recipient = m_members.value(Confab::Nickname::key(start.to));
        if (!recipient || recipient->isGuest() || recipient == session) {
            session->sendFileError(ErrorCode::NotFound,
                                   tr("Nobody called \"%1\" can receive a file here now.")
                                       .arg(start.to),
                                   start.uploadId);
            return;
        }
        upload.toNick = recipient->nick();
        upload.toKey = recipient->nickKey();
    }
    const FileStore::Begun begun = m_files->begin(session, session->nickKey(), start.uploadId,
                                                  start.size, upload.start.sha256);
    switch (begun.result) {
    case FileStore::Result::Ok:
        break;
    case FileStore::Result::TooBig:
        session->sendFileError(ErrorCode::FileTooBig, tr("This file is too big for the room."),
                               start.uploadId);
        return;
    case FileStore::Result::StorageFull:
        session->sendFileError(ErrorCode::StorageFull,
                               tr("The room has no space left for this file."), start.uploadId);
        return;
    default:
        qCWarning(lcRoom).noquote() << "could not begin an upload:" << m_files->errorString();
        session->sendFileError(ErrorCode::StoreFailed,
                               tr("The room could not store this file; try again."),
                               start.uploadId);
        return;
    }
    upload.key = begun.key;
    upload.held = begun.offset;
    upload.lastAck = begun.offset;
    uploads.insert(start.uploadId, upload);
    session->send(FileReady { start.uploadId, begun.offset });
    if (begun.offset == start.size) { // nothing (more) to send: finish now
        Confab::FileChunk::Chunk none;
        none.id = start.uploadId;
        none.offset = begun.offset;
        onFileChunk(session, none);
    }
}

void Room::onFileChunk(Session *session, const Confab::FileChunk::Chunk &chunk)
{
    QHash<QString, Session::Upload> &uploads = session->uploads();
    const auto it = uploads.find(chunk.id);
    if (it == uploads.end())
        return;
    const FileStore::Appended a = m_files->append(session, it->key, chunk.offset, chunk.data);
    switch (a.result) {
    case FileStore::Result::Ok:
        break;
    case FileStore::Result::BadOffset:
        it->rewinding = true;
        session->sendFileError(ErrorCode::BadOffset,
                               tr("The room expected the bytes from offset %1.").arg(a.offset),
                               chunk.id, {}, a.offset);
        return;
    case FileStore::Result::Corrupt:
        uploads.erase(it);
        session->sendFileError(ErrorCode::FileCorrupt,
                               tr("The file did not arrive as it was sent (its SHA-256 does not "
                                  "match); nothing was stored."),
                               chunk.id);
        return;
    case FileStore::Result::NotFound: // taken over by a newer connection of this member
        uploads.erase(it);
        session->sendFileError(ErrorCode::NotFound, tr("No upload with that id is under way."),
                               chunk.id);
        return;
    default:
        qCWarning(lcRoom).noquote() << "could not store file data:" << m_files->errorString();
        m_files->release(session, it->key, FileStore::Partial::Keep);
        uploads.erase(it);
        session->sendFileError(ErrorCode::StoreFailed,
                               tr("The room could not store this file; try again."), chunk.id);
        return;
    }
    it->held = a.offset;
    if (a.complete || a.offset - it->lastAck >= Confab::Limits::FileAckInterval) {
        it->lastAck = a.offset;
        session->send(FileProgress { chunk.id, a.offset });
    }
    if (a.complete)
        storeFile(session, chunk.id, a.fileId);
}

void Room::storeFile(Session *session, const QString &uploadId, const QString &fileId)
{
    const Session::Upload upload = session->uploads().take(uploadId);
    const FileStart &start = upload.start;
    HistoryStore::NewMessage n;
    n.from = session->nick();
    n.senderKey = session->nickKey();
    n.clientId = QStringLiteral("file:") + uploadId;
    n.text = QStringLiteral(""); // not null: the column is NOT NULL
    n.time = now();
    n.to = upload.toNick;
    n.toKey = upload.toKey;
    n.file = FileInfo { fileId, start.name, start.size, start.mime, start.sha256 };
    const HistoryStore::Appended stored = m_store->append(n);
    if (!stored.ok) {
        qCWarning(lcRoom).noquote() << "could not store a file message:" << m_store->errorString();
        m_files->removeFile(fileId);
        session->sendFileError(ErrorCode::StoreFailed,
                               tr("The room could not store this file; try again."), uploadId);
        return;
    }
    dropTrimmedFiles(stored);
    qCInfo(lcRoom).noquote() << session->nick() << "shared a file of" << start.size << "bytes"
                             << (upload.toKey.isEmpty() ? QString() : QStringLiteral("(direct)"));
    session->send(FileDone { uploadId, fileId, stored.message.seq });
    if (!upload.toKey.isEmpty())
        deliverPrivately(stored.message, session, m_members.value(upload.toKey));
    else
        broadcast(stored.message);
    Q_EMIT messagePosted(stored.message);
}

void Room::onFileGet(Session *session, const FileGet &get)
{
    const HistoryStore::Changed c =
        m_files ? m_store->messageWithFile(get.fileId, session->nickKey()) : HistoryStore::Changed {};
    const QString path = c.result == HistoryStore::Change::Done ? m_files->filePath(get.fileId)
                                                                : QString();
    if (path.isEmpty()) {
        // Others' direct files do not exist for this viewer, exactly like missing ones.
        session->sendFileError(ErrorCode::NotFound, tr("That file is not there (any more)."), {},
                               get.fileId);
        return;
    }
    const qint64 size = c.message.file.size;
    // A fileGet for a file already coming restarts it (a resume), so it does not count.
    if (session->downloadCount() >= m_config.maxDownloadsPerSession
        && !session->cancelDownload(get.fileId)) {
        session->sendFileError(ErrorCode::TooManyDownloads,
                               tr("At most %n downloads can be under way at once; wait for one "
                                  "to finish.", nullptr, m_config.maxDownloadsPerSession),
                               {}, get.fileId);
        return;
    }
    if (get.offset > size) {
        session->sendFileError(ErrorCode::BadOffset, tr("The file has only %1 bytes.").arg(size),
                               {}, get.fileId, size);
        return;
    }
    session->startDownload(get.fileId, path, get.offset, size);
}

void Room::onFileCancel(Session *session, const FileCancel &cancel)
{
    if (!cancel.fileId.isEmpty()) {
        session->cancelDownload(cancel.fileId);
        return;
    }
    QHash<QString, Session::Upload> &uploads = session->uploads();
    if (const auto it = uploads.constFind(cancel.uploadId); it != uploads.cend()) {
        m_files->release(session, it->key, FileStore::Partial::Remove);
        uploads.erase(it);
    }
}
