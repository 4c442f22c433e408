#pragma once

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

#include <variant>

// Protocol v1 as plain value types. docs/PROTOCOL.md is the contract; this file mirrors it.
// Nothing here knows about sockets: the codec turns these into JSON text and back.
namespace Confab::Protocol {

inline constexpr int Version = 1;
inline constexpr char Subprotocol[] = "confab.v1";
inline constexpr quint16 DefaultPort = 26632; // "confab" on a phone keypad

// Close codes Confab uses besides the standard ones (1000, 1001, 1007, 1008, 1009).
enum class CloseCode : quint16 {
    Normal = 1000,
    GoingAway = 1001, // the server is shutting down
    BadData = 1007, // invalid UTF-8 (Qt's reader)
    Policy = 1008, // kept flooding after rate-limit errors (a refused Origin gets HTTP 403)
    TooBig = 1009, // a frame or message over the limit
    VersionMismatch = 4000,
    HelloTimeout = 4001, // no valid hello in time
    Replaced = 4002, // the same member connected again (resume)
    BadPassword = 4003,
    ServerFull = 4004,
    SlowConsumer = 4005, // unsent data to this client over its bound
    IdleTimeout = 4006, // nothing received for too long
    TooSlow = 4007, // a message was begun but did not arrive whole in time
};

// Stable error codes, carried in `error` messages.
namespace ErrorCode {
inline constexpr char BadJson[] = "bad-json";
inline constexpr char BadMessage[] = "bad-message";
inline constexpr char UnknownType[] = "unknown-type";
inline constexpr char VersionMismatch[] = "version-mismatch";
inline constexpr char NotJoined[] = "not-joined";
inline constexpr char AlreadyJoined[] = "already-joined";
inline constexpr char NickInvalid[] = "nick-invalid";
inline constexpr char NickTaken[] = "nick-taken";
inline constexpr char TextEmpty[] = "text-empty";
inline constexpr char TextTooLong[] = "text-too-long";
inline constexpr char TextInvalid[] = "text-invalid"; // control characters but \n \t \r
inline constexpr char RateLimited[] = "rate-limited";
inline constexpr char StoreFailed[] = "store-failed";
inline constexpr char BadPassword[] = "bad-password";
inline constexpr char ServerFull[] = "server-full";
inline constexpr char NotFound[] = "not-found"; // no such message, or no such member
inline constexpr char NotAllowed[] = "not-allowed"; // e.g. editing someone else's message
// Files (docs/PROTOCOL.md "Files").
inline constexpr char FileTooBig[] = "file-too-big";
inline constexpr char StorageFull[] = "storage-full";
inline constexpr char BadOffset[] = "bad-offset"; // `offset` says where to go on
inline constexpr char FileCorrupt[] = "file-corrupt"; // the bytes did not match the sha256
inline constexpr char TooManyUploads[] = "too-many-uploads";
inline constexpr char TooManyDownloads[] = "too-many-downloads";
} // namespace ErrorCode

// One emoji on a message and who put it there.
struct Reaction
{
    QString emoji;
    QStringList nicks;
    friend bool operator==(const Reaction &, const Reaction &) = default;
};

// A file attached to a chat message. `id` is the server's; `name` is metadata only
// (sanitised for display, never a path on either side).
struct FileInfo
{
    QString id;
    QString name;
    qint64 size = 0;
    QString mime;
    QString sha256; // lower-case hex
    bool isEmpty() const { return id.isEmpty(); }
    friend bool operator==(const FileInfo &, const FileInfo &) = default;
};

struct ChatMessage
{
    QString id; // server-assigned, unique
    qint64 seq = 0; // room-wide, increasing, survives restarts
    QString from; // the sender's nickname, from the session
    QDateTime time; // UTC, milliseconds
    QString text; // empty once deleted
    QString to; // a direct message's recipient; empty for the room
    QString replyTo; // the id of the message this one answers; empty if none
    bool edited = false;
    bool deleted = false;
    QList<Reaction> reactions; // in the order first used
    FileInfo file {}; // an attachment; empty for a text message
    friend bool operator==(const ChatMessage &, const ChatMessage &) = default;
};

// A member's presence on the wire: "online" or "away" (offline members are not members).
namespace Status {
inline constexpr char Online[] = "online";
inline constexpr char Away[] = "away";
} // namespace Status

struct Member
{
    QString nick;
    QString status = QString::fromLatin1(Status::Online);
    friend bool operator==(const Member &, const Member &) = default;
};

// --- client to server -------------------------------------------------------------------

struct Hello
{
    int version = Version;
    QString nick;
    qint64 lastSeq = -1; // the last seq the client has; -1 for a fresh join
    QString resumeToken; // from an earlier welcome: lets this connection replace a stale one
    QString password; // the room's password, when it has one
    friend bool operator==(const Hello &, const Hello &) = default;
};

struct SendChat
{
    QString clientId;
    QString text;
    QString to; // a member's nickname for a direct message; empty for the room
    QString replyTo; // the id of the message this answers
    friend bool operator==(const SendChat &, const SendChat &) = default;
};

// Change the text of one's own message.
struct EditMessage
{
    QString id;
    QString text;
    friend bool operator==(const EditMessage &, const EditMessage &) = default;
};

// Remove one's own message (for everyone, including those who join later).
struct DeleteMessage
{
    QString id;
    friend bool operator==(const DeleteMessage &, const DeleteMessage &) = default;
};

// Put an emoji on a message (add) or take one's own off again.
struct React
{
    QString id;
    QString emoji;
    bool add = true;
    friend bool operator==(const React &, const React &) = default;
};

// Search the room's history on the server (beyond what the client has loaded).
struct SearchRequest
{
    QString query;
    int limit = 50;
    friend bool operator==(const SearchRequest &, const SearchRequest &) = default;
};

// One page of history: `before` a seq (older messages, newest page first), or `after`
// a seq (messages missed, oldest first). Exactly one of the two is set.
struct HistoryRequest
{
    qint64 before = -1;
    qint64 after = -1;
    int limit = 50;
    friend bool operator==(const HistoryRequest &, const HistoryRequest &) = default;
};

// A client may ping (browsers cannot send WebSocket pings); the server answers pong. The
// server itself keeps connections alive with WebSocket pings, which browsers answer.
struct Ping
{
    QString token;
    friend bool operator==(const Ping &, const Ping &) = default;
};

struct Pong
{
    QString token;
    friend bool operator==(const Pong &, const Pong &) = default;
};

// Asks for the whole member list; answered with `members`.
struct MembersRequest
{
    friend bool operator==(const MembersRequest &, const MembersRequest &) = default;
};

// The user started (active) or stopped typing. Sent at most every few seconds while typing.
struct SetTyping
{
    bool active = true;
    friend bool operator==(const SetTyping &, const SetTyping &) = default;
};

// The user is away (set by hand or after idle minutes) or back.
struct SetPresence
{
    QString status; // Status::Online or Status::Away
    friend bool operator==(const SetPresence &, const SetPresence &) = default;
};

// Announces an upload; answered `fileReady` (then binary chunks follow) or `error`.
struct FileStart
{
    QString uploadId; // chosen by the client, 8-64 of [A-Za-z0-9_-]; the same id resumes
    QString name;
    qint64 size = 0;
    QString mime;
    QString sha256; // 64 hex digits
    QString to; // a direct message's recipient; empty for the room
    friend bool operator==(const FileStart &, const FileStart &) = default;
};

// Asks for a file's bytes from `offset` on; binary chunks follow, then `fileEnd`.
struct FileGet
{
    QString fileId;
    qint64 offset = 0;
    friend bool operator==(const FileGet &, const FileGet &) = default;
};

// Stops an upload (uploadId; its partial is deleted) or a download (fileId).
struct FileCancel
{
    QString fileId;
    QString uploadId;
    friend bool operator==(const FileCancel &, const FileCancel &) = default;
};

using ClientMessage = std::variant<Hello, SendChat, HistoryRequest, MembersRequest, Ping, Pong,
                                   SetTyping, SetPresence, EditMessage, DeleteMessage, React,
                                   SearchRequest, FileStart, FileGet, FileCancel>;

// --- server to client -------------------------------------------------------------------

struct Welcome
{
    int version = Version;
    QString room;
    QString nick; // as the server will show it
    QList<Member> members;
    QList<ChatMessage> history; // oldest first
    bool hasOlder = false; // more history exists before history.first()
    bool hasNewer = false; // (resume) more missed messages than fit; ask with `after`
    qint64 lastSeq = 0; // the newest seq in the room
    QString resumeToken;
    friend bool operator==(const Welcome &, const Welcome &) = default;
};

struct Ack
{
    QString clientId;
    QString id;
    qint64 seq = 0;
    friend bool operator==(const Ack &, const Ack &) = default;
};

struct Joined
{
    QString nick;
    QDateTime time;
    friend bool operator==(const Joined &, const Joined &) = default;
};

struct Left
{
    QString nick;
    QDateTime time;
    friend bool operator==(const Left &, const Left &) = default;
};

struct Members
{
    QList<Member> members;
    friend bool operator==(const Members &, const Members &) = default;
};

struct HistoryPage
{
    qint64 before = -1; // echoes the request
    qint64 after = -1;
    QList<ChatMessage> messages; // oldest first
    bool hasMore = false;
    friend bool operator==(const HistoryPage &, const HistoryPage &) = default;
};

struct Error
{
    QString code; // stable, see ErrorCode
    QString message; // a sentence for people
    QString clientId; // set when the error refuses one chat message
    qint64 retryAfterMs = -1; // set when trying again later can succeed (rate limit, password)
    QString uploadId {}; // set when the error concerns one upload ({}: aggregates may omit it)
    QString fileId {}; // set when the error concerns one download
    qint64 offset = -1; // bad-offset, rate-limited chunks: where the upload goes on
    friend bool operator==(const Error &, const Error &) = default;
};

// Someone started or stopped typing. A client forgets an active notice after a few seconds
// without a new one, and when that member's message arrives.
struct Typing
{
    QString nick;
    bool active = true;
    friend bool operator==(const Typing &, const Typing &) = default;
};

struct PresenceChanged
{
    QString nick;
    QString status;
    friend bool operator==(const PresenceChanged &, const PresenceChanged &) = default;
};

// A stored message changed (edited, deleted, reactions): the whole message as it now is.
struct MessageUpdated
{
    ChatMessage message;
    friend bool operator==(const MessageUpdated &, const MessageUpdated &) = default;
};

struct SearchResults
{
    QString query;
    QList<ChatMessage> messages; // newest first
    friend bool operator==(const SearchResults &, const SearchResults &) = default;
};

// The server is ready for an upload's chunks from `offset` (bytes it already holds).
struct FileReady
{
    QString uploadId;
    qint64 offset = 0;
    friend bool operator==(const FileReady &, const FileReady &) = default;
};

// The server holds `offset` bytes of an upload (every 256 KiB and at the end).
struct FileProgress
{
    QString uploadId;
    qint64 offset = 0;
    friend bool operator==(const FileProgress &, const FileProgress &) = default;
};

// An upload is verified and stored; its chat message (with `seq`) follows as `chat`.
struct FileDone
{
    QString uploadId;
    QString fileId;
    qint64 seq = 0;
    friend bool operator==(const FileDone &, const FileDone &) = default;
};

// Every chunk of a download has been sent.
struct FileEnd
{
    QString fileId;
    qint64 size = 0;
    friend bool operator==(const FileEnd &, const FileEnd &) = default;
};

using ServerMessage =
    std::variant<Welcome, ChatMessage, Ack, Joined, Left, Members, HistoryPage, Error, Pong,
                 Ping, Typing, PresenceChanged, MessageUpdated, SearchResults, FileReady,
                 FileProgress, FileDone, FileEnd>;

// UTC with milliseconds, the one time format on the wire: 2026-11-22T09:30:00.123Z
QString formatTime(const QDateTime &time);
QDateTime parseTime(const QString &text);
// The server's clock, truncated to what the wire carries.
QDateTime now();

} // namespace Confab::Protocol
