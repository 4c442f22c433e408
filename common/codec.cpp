#include "common/codec.h"

#include "common/filechunk.h"
#include "common/limits.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <algorithm>

namespace Confab::Codec {

using namespace Protocol;

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Confab::Codec", text);
}

// --- encoding ---------------------------------------------------------------------------

QJsonObject chatObject(const ChatMessage &m)
{
    QJsonObject o { { "type", "chat" },
                    { "id", m.id },
                    { "seq", m.seq },
                    { "from", m.from },
                    { "time", formatTime(m.time) },
                    { "text", m.text } };
    // Optional keys only when set: the common message stays small.
    if (!m.to.isEmpty())
        o.insert(QStringLiteral("to"), m.to);
    if (!m.replyTo.isEmpty())
        o.insert(QStringLiteral("replyTo"), m.replyTo);
    if (m.edited)
        o.insert(QStringLiteral("edited"), true);
    if (m.deleted)
        o.insert(QStringLiteral("deleted"), true);
    if (!m.reactions.isEmpty()) {
        QJsonArray reactions;
        for (const Reaction &r : m.reactions)
            reactions.append(QJsonObject { { "emoji", r.emoji },
                                           { "nicks", QJsonArray::fromStringList(r.nicks) } });
        o.insert(QStringLiteral("reactions"), reactions);
    }
    if (!m.file.isEmpty())
        o.insert(QStringLiteral("file"), QJsonObject { { "id", m.file.id },
                                                       { "name", m.file.name },
                                                       { "size", m.file.size },
                                                       { "mime", m.file.mime },
                                                       { "sha256", m.file.sha256 } });
    return o;
}

QJsonArray messagesArray(const QList<ChatMessage> &messages)
{
    QJsonArray array;
    for (const ChatMessage &m : messages) {
        QJsonObject o = chatObject(m);
        o.remove(QStringLiteral("type"));
        array.append(o);
    }
    return array;
}

QJsonArray membersArray(const QList<Member> &members)
{
    QJsonArray array;
    for (const Member &m : members)
        array.append(QJsonObject { { "nick", m.nick }, { "status", m.status } });
    return array;
}

struct ClientEncoder
{
    QJsonObject operator()(const Hello &m) const
    {
        QJsonObject o { { "type", "hello" }, { "version", m.version }, { "nick", m.nick } };
        if (m.lastSeq >= 0)
            o.insert(QStringLiteral("lastSeq"), m.lastSeq);
        if (!m.resumeToken.isEmpty())
            o.insert(QStringLiteral("resumeToken"), m.resumeToken);
        if (!m.password.isEmpty())
            o.insert(QStringLiteral("password"), m.password);
        return o;
    }
    QJsonObject operator()(const SendChat &m) const
    {
        QJsonObject o { { "type", "chat" }, { "clientId", m.clientId }, { "text", m.text } };
        if (!m.to.isEmpty())
            o.insert(QStringLiteral("to"), m.to);
        if (!m.replyTo.isEmpty())
            o.insert(QStringLiteral("replyTo"), m.replyTo);
        return o;
    }
    QJsonObject operator()(const EditMessage &m) const
    {
        return { { "type", "edit" }, { "id", m.id }, { "text", m.text } };
    }
    QJsonObject operator()(const DeleteMessage &m) const
    {
        return { { "type", "delete" }, { "id", m.id } };
    }
    QJsonObject operator()(const React &m) const
    {
        return { { "type", "react" }, { "id", m.id }, { "emoji", m.emoji }, { "add", m.add } };
    }
    QJsonObject operator()(const SearchRequest &m) const
    {
        return { { "type", "search" }, { "query", m.query }, { "limit", m.limit } };
    }
    QJsonObject operator()(const HistoryRequest &m) const
    {
        QJsonObject o { { "type", "history" }, { "limit", m.limit } };
        if (m.before >= 0)
            o.insert(QStringLiteral("before"), m.before);
        if (m.after >= 0)
            o.insert(QStringLiteral("after"), m.after);
        return o;
    }
    QJsonObject operator()(const MembersRequest &) const { return { { "type", "members" } }; }
    QJsonObject operator()(const SetTyping &m) const
    {
        return { { "type", "typing" }, { "active", m.active } };
    }
    QJsonObject operator()(const SetPresence &m) const
    {
        return { { "type", "presence" }, { "status", m.status } };
    }
    QJsonObject operator()(const Pong &m) const { return { { "type", "pong" }, { "token", m.token } }; }
    QJsonObject operator()(const Ping &m) const
    {
        return { { "type", "ping" }, { "token", m.token } };
    }
    QJsonObject operator()(const FileStart &m) const
    {
        QJsonObject o { { "type", "fileStart" }, { "uploadId", m.uploadId }, { "name", m.name },
                        { "size", m.size },      { "mime", m.mime },         { "sha256", m.sha256 } };
        if (!m.to.isEmpty())
            o.insert(QStringLiteral("to"), m.to);
        return o;
    }
    QJsonObject operator()(const FileGet &m) const
    {
        return { { "type", "fileGet" }, { "fileId", m.fileId }, { "offset", m.offset } };
    }
    QJsonObject operator()(const FileCancel &m) const
    {
        QJsonObject o { { "type", "fileCancel" } };
        if (!m.fileId.isEmpty())
            o.insert(QStringLiteral("fileId"), m.fileId);
        if (!m.uploadId.isEmpty())
            o.insert(QStringLiteral("uploadId"), m.uploadId);
        return o;
    }
};

struct ServerEncoder
{
    QJsonObject operator()(const Welcome &m) const
    {
        return { { "type", "welcome" },
                 { "version", m.version },
                 { "room", m.room },
                 { "nick", m.nick },
                 { "members", membersArray(m.members) },
                 { "history", messagesArray(m.history) },
                 { "hasOlder", m.hasOlder },
                 { "hasNewer", m.hasNewer },
                 { "lastSeq", m.lastSeq },
                 { "resumeToken", m.resumeToken } };
    }
    QJsonObject operator()(const ChatMessage &m) const { return chatObject(m); }
    QJsonObject operator()(const Ack &m) const
    {
        return { { "type", "ack" }, { "clientId", m.clientId }, { "id", m.id }, { "seq", m.seq } };
    }
    QJsonObject operator()(const Joined &m) const
    {
        return { { "type", "joined" }, { "nick", m.nick }, { "time", formatTime(m.time) } };
    }
    QJsonObject operator()(const Left &m) const
    {
        return { { "type", "left" }, { "nick", m.nick }, { "time", formatTime(m.time) } };
    }
    QJsonObject operator()(const Members &m) const
    {
        return { { "type", "members" }, { "members", membersArray(m.members) } };
    }
    QJsonObject operator()(const HistoryPage &m) const
    {
        QJsonObject o { { "type", "history" },
                        { "messages", messagesArray(m.messages) },
                        { "hasMore", m.hasMore } };
        if (m.before >= 0)
            o.insert(QStringLiteral("before"), m.before);
        if (m.after >= 0)
            o.insert(QStringLiteral("after"), m.after);
        return o;
    }
    QJsonObject operator()(const Error &m) const
    {
        QJsonObject o { { "type", "error" }, { "code", m.code }, { "message", m.message } };
        if (!m.clientId.isEmpty())
            o.insert(QStringLiteral("clientId"), m.clientId);
        if (m.retryAfterMs >= 0)
            o.insert(QStringLiteral("retryAfterMs"), m.retryAfterMs);
        if (!m.uploadId.isEmpty())
            o.insert(QStringLiteral("uploadId"), m.uploadId);
        if (!m.fileId.isEmpty())
            o.insert(QStringLiteral("fileId"), m.fileId);
        if (m.offset >= 0)
            o.insert(QStringLiteral("offset"), m.offset);
        return o;
    }
    QJsonObject operator()(const FileReady &m) const
    {
        return { { "type", "fileReady" }, { "uploadId", m.uploadId }, { "offset", m.offset } };
    }
    QJsonObject operator()(const FileProgress &m) const
    {
        return { { "type", "fileProgress" }, { "uploadId", m.uploadId }, { "offset", m.offset } };
    }
    QJsonObject operator()(const FileDone &m) const
    {
        return { { "type", "fileDone" },
                 { "uploadId", m.uploadId },
                 { "fileId", m.fileId },
                 { "seq", m.seq } };
    }
    QJsonObject operator()(const FileEnd &m) const
    {
        return { { "type", "fileEnd" }, { "fileId", m.fileId }, { "size", m.size } };
    }
    QJsonObject operator()(const Pong &m) const { return { { "type", "pong" }, { "token", m.token } }; }
    QJsonObject operator()(const Ping &m) const { return { { "type", "ping" }, { "token", m.token } }; }
    QJsonObject operator()(const Typing &m) const
    {
        return { { "type", "typing" }, { "nick", m.nick }, { "active", m.active } };
    }
    QJsonObject operator()(const PresenceChanged &m) const
    {
        return { { "type", "presence" }, { "nick", m.nick }, { "status", m.status } };
    }
    QJsonObject operator()(const MessageUpdated &m) const
    {
        QJsonObject o = chatObject(m.message);
        o.insert(QStringLiteral("type"), QStringLiteral("update"));
        return o;
    }
    QJsonObject operator()(const SearchResults &m) const
    {
        return { { "type", "results" },
                 { "query", m.query },
                 { "messages", messagesArray(m.messages) } };
    }
};

QByteArray toJson(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// --- decoding ---------------------------------------------------------------------------

// Reads typed fields from one object, remembering the first problem. Each getter returns a
// harmless default once a problem is recorded, so a decoder reads straight through and
// checks `failed()` once at the end.
class Reader
{
    // The context of the file's tr() (lupdate would otherwise file these under Reader).
    Q_DECLARE_TR_FUNCTIONS(Confab::Codec)

public:
    explicit Reader(const QJsonObject &object) : m_object(object) { }

    QString string(const char *key, bool required = true)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() && !required)
            return {};
        if (!v.isString())
            return fail(key, tr("must be a string")), QString();
        return v.toString();
    }

    qint64 integer(const char *key, bool required = true, qint64 fallback = -1)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() && !required)
            return fallback;
        // JSON numbers arrive as doubles; accept only exact integers in the safe range.
        // The range check comes first: converting an out-of-range double (1e300) to an
        // integer is undefined behaviour.
        constexpr double maxSafe = 9007199254740991.0;
        const double d = v.toDouble();
        if (!v.isDouble() || !(d >= -maxSafe && d <= maxSafe) || d != double(qint64(d)))
            return fail(key, tr("must be an integer")), fallback;
        return qint64(d);
    }

    bool boolean(const char *key, bool required = true)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (v.isUndefined() && !required)
            return false;
        if (!v.isBool())
            return fail(key, tr("must be true or false")), false;
        return v.toBool();
    }

    QDateTime time(const char *key)
    {
        const QString text = string(key);
        if (failed())
            return {};
        const QDateTime t = parseTime(text);
        if (!t.isValid())
            fail(key, tr("must be a UTC time such as 2026-11-22T09:30:00.000Z"));
        return t;
    }

    QJsonArray array(const char *key)
    {
        const QJsonValue v = m_object.value(QLatin1String(key));
        if (!v.isArray())
            return fail(key, tr("must be an array")), QJsonArray();
        return v.toArray();
    }

    bool has(const char *key) const { return m_object.contains(QLatin1String(key)); }
    QJsonValue value(const char *key) const { return m_object.value(QLatin1String(key)); }

    void fail(const char *key, const QString &what)
    {
        if (m_error.isEmpty())
            m_error = tr("Field \"%1\" %2.").arg(QLatin1String(key), what);
    }
    void failWith(const QString &sentence)
    {
        if (m_error.isEmpty())
            m_error = sentence;
    }
    bool failed() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }

private:
    const QJsonObject m_object;
    QString m_error;
};

void checkStatus(Reader &r, const QString &status)
{
    if (!r.failed() && status != QLatin1String(Status::Online)
        && status != QLatin1String(Status::Away))
        r.fail("status", tr("must be \"online\" or \"away\""));
}

ChatMessage readChat(Reader &r)
{
    ChatMessage m;
    m.id = r.string("id");
    m.seq = r.integer("seq");
    m.from = r.string("from");
    m.time = r.time("time");
    m.text = r.string("text");
    m.to = r.string("to", false);
    m.replyTo = r.string("replyTo", false);
    m.edited = r.boolean("edited", false);
    m.deleted = r.boolean("deleted", false);
    if (r.has("reactions")) {
        const QJsonArray reactions = r.array("reactions");
        for (const QJsonValue &v : reactions) {
            Reader inner(v.toObject());
            Reaction reaction;
            reaction.emoji = inner.string("emoji");
            for (const QJsonValue &nick : inner.array("nicks")) {
                if (!nick.isString())
                    inner.fail("nicks", tr("must hold strings"));
                reaction.nicks.append(nick.toString());
            }
            if (!v.isObject() || inner.failed()) {
                r.failWith(inner.failed() ? inner.error() : tr("Field \"reactions\" must hold objects."));
                break;
            }
            m.reactions.append(reaction);
        }
    }
    if (r.has("file") && !r.failed()) {
        const QJsonValue file = r.value("file");
        if (!file.isObject()) {
            r.fail("file", tr("must be an object"));
        } else {
            Reader inner(file.toObject());
            m.file.id = inner.string("id");
            m.file.name = inner.string("name");
            m.file.size = inner.integer("size");
            m.file.mime = inner.string("mime");
            m.file.sha256 = inner.string("sha256");
            if (!inner.failed() && (m.file.id.isEmpty() || m.file.size < 0))
                inner.failWith(tr("Field \"file\" needs an id and a size."));
            if (inner.failed())
                r.failWith(inner.error());
        }
    }
    return m;
}

QList<ChatMessage> readMessages(Reader &r, const char *key)
{
    QList<ChatMessage> list;
    const QJsonArray array = r.array(key);
    for (const QJsonValue &v : array) {
        if (!v.isObject()) {
            r.fail(key, tr("must hold objects"));
            break;
        }
        Reader inner(v.toObject());
        list.append(readChat(inner));
        if (inner.failed()) {
            r.failWith(inner.error());
            break;
        }
    }
    return list;
}

QList<Member> readMembers(Reader &r, const char *key)
{
    QList<Member> list;
    const QJsonArray array = r.array(key);
    for (const QJsonValue &v : array) {
        if (!v.isObject()) {
            r.fail(key, tr("must hold objects"));
            break;
        }
        Reader inner(v.toObject());
        Member member;
        member.nick = inner.string("nick");
        if (const QString status = inner.string("status", false); !status.isEmpty())
            member.status = status;
        checkStatus(inner, member.status);
        list.append(member);
        if (inner.failed()) {
            r.failWith(inner.error());
            break;
        }
    }
    return list;
}

bool isValidId(const QString &id, int minLength = 1)
{
    return Confab::FileChunk::isValidId(id, minLength, Limits::MaxUploadIdLength);
}

bool isValidUploadId(const QString &id)
{
    return isValidId(id, Limits::MinUploadIdLength);
}

bool isSha256Hex(const QString &hex)
{
    if (hex.size() != 64)
        return false;
    return std::all_of(hex.cbegin(), hex.cend(), [](QChar c) {
        return (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
            || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))
            || (c >= QLatin1Char('A') && c <= QLatin1Char('F'));
    });
}

template<typename T>
Decoded<T> failure(const char *code, const QString &message)
{
    Decoded<T> d;
    d.error = Error { QString::fromLatin1(code), message, {} };
    return d;
}

// Parses one JSON object and returns it with its "type", or the reason it cannot.
template<typename T>
std::optional<std::pair<QJsonObject, QString>> parseObject(QByteArrayView json, Decoded<T> &out)
{
    QJsonParseError parseError;
    const QJsonDocument doc =
        QJsonDocument::fromJson(QByteArray::fromRawData(json.data(), json.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        out = failure<T>(ErrorCode::BadJson,
                         tr("The message is not valid JSON: %1 at offset %2.")
                             .arg(parseError.errorString())
                             .arg(parseError.offset));
        return std::nullopt;
    }
    if (!doc.isObject()) {
        out = failure<T>(ErrorCode::BadJson, tr("The message must be one JSON object."));
        return std::nullopt;
    }
    if (hasDuplicateKeys(json)) {
        out = failure<T>(ErrorCode::BadJson, tr("The message names the same key twice."));
        return std::nullopt;
    }
    const QJsonObject object = doc.object();
    const QJsonValue type = object.value(QStringLiteral("type"));
    if (!type.isString()) {
        out = failure<T>(ErrorCode::BadMessage, tr("The message has no \"type\" string."));
        return std::nullopt;
    }
    return std::make_pair(object, type.toString());
}

template<typename T, typename M>
Decoded<T> finish(const Reader &r, M &&message)
{
    if (r.failed())
        return failure<T>(ErrorCode::BadMessage, r.error());
    Decoded<T> d;
    d.value = T(std::forward<M>(message));
    return d;
}

} // namespace

QByteArray encode(const ClientMessage &message)
{
    return toJson(std::visit(ClientEncoder {}, message));
}

QByteArray encode(const ServerMessage &message)
{
    return toJson(std::visit(ServerEncoder {}, message));
}

Decoded<ClientMessage> decodeClient(QByteArrayView json)
{
    using D = Decoded<ClientMessage>;
    D out;
    const auto parsed = parseObject(json, out);
    if (!parsed)
        return out;
    const auto &[object, type] = *parsed;
    Reader r(object);
    if (type == QLatin1String("hello")) {
        Hello m;
        m.version = int(r.integer("version"));
        m.nick = r.string("nick");
        m.lastSeq = r.integer("lastSeq", false, -1);
        m.resumeToken = r.string("resumeToken", false);
        m.password = r.string("password", false);
        if (!r.failed() && m.lastSeq < -1)
            r.fail("lastSeq", tr("must not be negative"));
        return finish<ClientMessage>(r, m);
    }
    if (type == QLatin1String("chat")) {
        // A "from" the client writes is ignored: the sender is the session.
        SendChat m;
        m.clientId = r.string("clientId");
        m.text = r.string("text");
        m.to = r.string("to", false);
        m.replyTo = r.string("replyTo", false);
        if (!r.failed() && (m.clientId.isEmpty() || m.clientId.size() > Limits::MaxClientIdLength))
            r.fail("clientId", tr("must be 1 to %1 characters").arg(Limits::MaxClientIdLength));
        return finish<ClientMessage>(r, m);
    }
    if (type == QLatin1String("history")) {
        HistoryRequest m;
        m.before = r.integer("before", false, -1);
        m.after = r.integer("after", false, -1);
        m.limit = int(qBound(qint64(0), r.integer("limit", false, 50), qint64(Limits::MaxHistoryPage)));
        // -1 is "absent"; any other negative value was once accepted here and then lost
        // in re-encoding ({"before":-5,"after":3}: the round-trip check in tests/fuzz).
        if (!r.failed() && (m.before < -1 || m.after < -1 || (m.before < 0) == (m.after < 0)))
            r.failWith(tr("A history request names exactly one of \"before\" and \"after\", "
                          "not negative."));
        if (!r.failed() && m.limit < 1)
            r.fail("limit", tr("must be at least 1"));
        return finish<ClientMessage>(r, m);
    }
    if (type == QLatin1String("members"))
        return finish<ClientMessage>(r, MembersRequest {});
    if (type == QLatin1String("ping"))
        return finish<ClientMessage>(r, Ping { r.string("token", false) });
    if (type == QLatin1String("pong"))
        return finish<ClientMessage>(r, Pong { r.string("token", false) });
    if (type == QLatin1String("typing"))
        return finish<ClientMessage>(r, SetTyping { r.boolean("active") });
    if (type == QLatin1String("edit")) {
        EditMessage m { r.string("id"), r.string("text") };
        return finish<ClientMessage>(r, m);
    }
    if (type == QLatin1String("delete"))
        return finish<ClientMessage>(r, DeleteMessage { r.string("id") });
    if (type == QLatin1String("react")) {
        React m { r.string("id"), r.string("emoji"), r.boolean("add") };
        // An emoji is one grapheme or a short sequence, never a message in disguise.
        if (!r.failed() && (m.emoji.isEmpty() || m.emoji.size() > 16))
            r.fail("emoji", tr("must be 1 to 16 characters"));
        return finish<ClientMessage>(r, m);
    }
    if (type == QLatin1String("search")) {
        SearchRequest m;
        m.query = r.string("query");
        m.limit = int(qBound(qint64(1), r.integer("limit", false, 50), qint64(200)));
        if (!r.failed() && (m.query.trimmed().isEmpty() || m.query.size() > 200))
            r.fail("query", tr("must be 1 to 200 characters"));
        return finish<ClientMessage>(r, m);
    }
    if (type == QLatin1String("presence")) {
        SetPresence m { r.string("status") };
        checkStatus(r, m.status);
        return finish<ClientMessage>(r, m);
    }
    if (type == QLatin1String("fileStart")) {
        FileStart m;
        m.uploadId = r.string("uploadId");
        m.name = r.string("name");
        m.size = r.integer("size");
        m.mime = r.string("mime", false);
        m.sha256 = r.string("sha256");
        m.to = r.string("to", false);
        if (!r.failed() && !isValidUploadId(m.uploadId))
            r.fail("uploadId", tr("must be %1 to %2 letters, digits, - or _")
                                   .arg(Limits::MinUploadIdLength)
                                   .arg(Limits::MaxUploadIdLength));
        if (!r.failed() && m.size < 0)
            r.fail("size", tr("must not be negative"));
        if (!r.failed() && (m.name.size() > 4 * Limits::MaxFileNameLength
                            || m.mime.size() > Limits::MaxMimeLength))
            r.failWith(tr("The file's name or type is too long."));
        if (!r.failed() && !isSha256Hex(m.sha256))
            r.fail("sha256", tr("must be 64 hexadecimal digits"));
        return finish<ClientMessage>(r, m);
    }
    if (type == QLatin1String("fileGet")) {
        FileGet m;
        m.fileId = r.string("fileId");
        m.offset = r.integer("offset", false, 0);
        if (!r.failed() && !isValidId(m.fileId))
            r.fail("fileId", tr("is not a file id"));
        if (!r.failed() && m.offset < 0)
            r.fail("offset", tr("must not be negative"));
        return finish<ClientMessage>(r, m);
    }
    if (type == QLatin1String("fileCancel")) {
        FileCancel m;
        m.fileId = r.string("fileId", false);
        m.uploadId = r.string("uploadId", false);
        if (!r.failed() && m.fileId.isEmpty() == m.uploadId.isEmpty())
            r.failWith(tr("A fileCancel names exactly one of \"fileId\" and \"uploadId\"."));
        return finish<ClientMessage>(r, m);
    }
    return failure<ClientMessage>(ErrorCode::UnknownType,
                                  tr("Unknown message type \"%1\".").arg(type.left(40)));
}

Decoded<ServerMessage> decodeServer(QByteArrayView json)
{
    Decoded<ServerMessage> out;
    const auto parsed = parseObject(json, out);
    if (!parsed)
        return out;
    const auto &[object, type] = *parsed;
    Reader r(object);
    if (type == QLatin1String("welcome")) {
        Welcome m;
        m.version = int(r.integer("version"));
        m.room = r.string("room");
        m.nick = r.string("nick");
        m.members = readMembers(r, "members");
        m.history = readMessages(r, "history");
        m.hasOlder = r.boolean("hasOlder");
        m.hasNewer = r.boolean("hasNewer", false);
        m.lastSeq = r.integer("lastSeq");
        m.resumeToken = r.string("resumeToken", false);
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("chat")) {
        ChatMessage m = readChat(r);
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("ack")) {
        Ack m;
        m.clientId = r.string("clientId");
        m.id = r.string("id");
        m.seq = r.integer("seq");
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("joined")) {
        Joined m { r.string("nick"), r.time("time") };
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("left")) {
        Left m { r.string("nick"), r.time("time") };
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("members"))
        return finish<ServerMessage>(r, Members { readMembers(r, "members") });
    if (type == QLatin1String("history")) {
        HistoryPage m;
        m.before = r.integer("before", false, -1);
        m.after = r.integer("after", false, -1);
        m.messages = readMessages(r, "messages");
        m.hasMore = r.boolean("hasMore");
        if (!r.failed() && (m.before < -1 || m.after < -1))
            r.failWith(tr("A history page's \"before\" and \"after\" are not negative."));
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("error")) {
        Error m;
        m.code = r.string("code");
        m.message = r.string("message");
        m.clientId = r.string("clientId", false);
        m.retryAfterMs = r.integer("retryAfterMs", false, -1);
        m.uploadId = r.string("uploadId", false);
        m.fileId = r.string("fileId", false);
        m.offset = r.integer("offset", false, -1);
        if (!r.failed() && (m.retryAfterMs < -1 || m.offset < -1)) // -1 is "absent"
            r.failWith(tr("An error's \"retryAfterMs\" and \"offset\" are not negative."));
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("fileReady") || type == QLatin1String("fileProgress")) {
        const QString uploadId = r.string("uploadId");
        const qint64 offset = r.integer("offset");
        if (!r.failed() && offset < 0)
            r.fail("offset", tr("must not be negative"));
        if (type == QLatin1String("fileReady"))
            return finish<ServerMessage>(r, FileReady { uploadId, offset });
        return finish<ServerMessage>(r, FileProgress { uploadId, offset });
    }
    if (type == QLatin1String("fileDone")) {
        FileDone m { r.string("uploadId"), r.string("fileId"), r.integer("seq") };
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("fileEnd")) {
        FileEnd m { r.string("fileId"), r.integer("size") };
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("pong"))
        return finish<ServerMessage>(r, Pong { r.string("token", false) });
    if (type == QLatin1String("ping"))
        return finish<ServerMessage>(r, Ping { r.string("token", false) });
    if (type == QLatin1String("typing")) {
        Typing m { r.string("nick"), r.boolean("active") };
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("presence")) {
        PresenceChanged m { r.string("nick"), r.string("status") };
        checkStatus(r, m.status);
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("update")) {
        MessageUpdated m { readChat(r) };
        return finish<ServerMessage>(r, m);
    }
    if (type == QLatin1String("results")) {
        SearchResults m;
        m.query = r.string("query");
        m.messages = readMessages(r, "messages");
        return finish<ServerMessage>(r, m);
    }
    return failure<ServerMessage>(ErrorCode::UnknownType,
                                  tr("Unknown message type \"%1\".").arg(type.left(40)));
}

bool hasDuplicateKeys(QByteArrayView json)
{
    struct Level
    {
        bool isObject;
        bool expectKey;
        QSet<QString> keys;
    };
    QList<Level> stack;
    const char *p = json.data();
    const char *end = p + json.size();
    while (p < end) {
        const char c = *p++;
        if (c == '{') {
            stack.append(Level { true, true, {} });
        } else if (c == '[') {
            stack.append(Level { false, false, {} });
        } else if (c == '}' || c == ']') {
            if (!stack.isEmpty())
                stack.removeLast();
        } else if (c == ',') {
            if (!stack.isEmpty() && stack.last().isObject)
                stack.last().expectKey = true;
        } else if (c == '"') {
            const char *start = p;
            while (p < end && *p != '"')
                p += (*p == '\\') ? 2 : 1;
            const qsizetype length = qMin<qsizetype>(p - start, end - start);
            ++p; // closing quote
            if (!stack.isEmpty() && stack.last().isObject && stack.last().expectKey) {
                stack.last().expectKey = false;
                const QByteArrayView raw(start, length);
                QString key;
                if (raw.contains('\\')) {
                    // Let the JSON parser resolve escapes, so "a" and "\u0061" compare equal.
                    QByteArray quoted = "[\"" + raw.toByteArray() + "\"]";
                    key = QJsonDocument::fromJson(quoted).array().at(0).toString();
                } else {
                    key = QString::fromUtf8(raw);
                }
                if (stack.last().keys.contains(key))
                    return true;
                stack.last().keys.insert(key);
            }
        }
    }
    return false;
}

} // namespace Confab::Codec
