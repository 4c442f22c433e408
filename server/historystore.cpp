#include "server/historystore.h"

#include "common/limits.h"

#include <QDir>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>

using Confab::Protocol::ChatMessage;
using Confab::Protocol::Reaction;

namespace {

int nextConnectionNumber()
{
    static int n = 0;
    return ++n;
}

// Every read selects these columns in this order.
const QString Columns = QStringLiteral(
    "seq, id, sender, time_ms, text, recipient, reply_to, edited, deleted, sender_key, "
    "recipient_key, file_id, file_name, file_size, file_mime, file_sha256");

// The viewer's filter: room messages, and direct messages they are a party to.
const QString Visible = QStringLiteral(
    "(recipient_key IS NULL OR sender_key = :viewer OR recipient_key = :viewer)");

ChatMessage readMessage(const QSqlQuery &q)
{
    ChatMessage m;
    m.seq = q.value(0).toLongLong();
    m.id = q.value(1).toString();
    m.from = q.value(2).toString();
    m.time = QDateTime::fromMSecsSinceEpoch(q.value(3).toLongLong()).toUTC();
    m.text = q.value(4).toString();
    m.to = q.value(5).toString();
    m.replyTo = q.value(6).toString();
    m.edited = q.value(7).toInt() != 0;
    m.deleted = q.value(8).toInt() != 0;
    if (!q.value(11).isNull() && !m.deleted) { // a deleted message shows no file
        m.file.id = q.value(11).toString();
        m.file.name = q.value(12).toString();
        m.file.size = q.value(13).toLongLong();
        m.file.mime = q.value(14).toString();
        m.file.sha256 = q.value(15).toString();
    }
    return m;
}

QVariant nullIfEmpty(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(s);
}

} // namespace

struct HistoryStore::Prepared
{
    QSqlQuery stored;
    QSqlQuery insert;
    QSqlQuery trimReactions;
    QSqlQuery trimFiles;
    QSqlQuery trim;
};

HistoryStore::HistoryStore()
    : m_connection(QStringLiteral("confab-history-%1").arg(nextConnectionNumber()))
{
}

HistoryStore::~HistoryStore()
{
    close();
}

bool HistoryStore::open(const QString &directory, int historyLimit)
{
    close();
    m_historyLimit = historyLimit;
    if (!QDir().mkpath(directory)) {
        m_error = QStringLiteral("cannot create the data directory %1").arg(directory);
        return false;
    }
    m_path = QDir(directory).absoluteFilePath(QStringLiteral("history.sqlite"));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
    db.setDatabaseName(m_path);
    if (!db.open()) {
        m_error = QStringLiteral("cannot open %1: %2").arg(m_path, db.lastError().text());
        return false;
    }
    // WAL: a commit is a write() to the log, so it survives the process being killed;
    // synchronous=NORMAL skips the fsync per commit (power loss may lose the last ones).
    // EXCLUSIVE: only this process uses the file, so SQLite can skip taking file locks on
    // every transaction (a fifth of the cost of storing a message, measured).
    bool ok = exec(QStringLiteral("PRAGMA journal_mode=WAL"))
        && exec(QStringLiteral("PRAGMA synchronous=NORMAL"))
        && exec(QStringLiteral("PRAGMA locking_mode=EXCLUSIVE"))
        && exec(QStringLiteral("PRAGMA busy_timeout=2000")) && migrate();
    if (ok) {
        m_prepared = std::make_unique<Prepared>(Prepared { QSqlQuery(db), QSqlQuery(db),
                                                           QSqlQuery(db), QSqlQuery(db),
                                                           QSqlQuery(db) });
        ok = m_prepared->stored.prepare(
                 QStringLiteral("SELECT %1 FROM messages WHERE sender_key = ? AND client_id = ?")
                     .arg(Columns))
            && m_prepared->insert.prepare(
                QStringLiteral("INSERT INTO messages (id, sender, sender_key, client_id, time_ms,"
                               " text, recipient, recipient_key, reply_to, file_id, file_name,"
                               " file_size, file_mime, file_sha256)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))
            && m_prepared->trimReactions.prepare(
                QStringLiteral("DELETE FROM reactions WHERE message_id IN"
                               " (SELECT id FROM messages WHERE seq <= ?)"))
            && m_prepared->trimFiles.prepare(
                QStringLiteral("SELECT file_id FROM messages WHERE seq <= ? AND file_id IS NOT NULL"))
            && m_prepared->trim.prepare(QStringLiteral("DELETE FROM messages WHERE seq <= ?"));
        QSqlQuery oldest(db);
        if (ok && oldest.exec(QStringLiteral("SELECT COALESCE(MIN(seq), 0) FROM messages"))
            && oldest.next())
            m_oldestKept = oldest.value(0).toLongLong();
        if (!ok)
            m_error = m_prepared->insert.lastError().text();
    }
    if (!ok)
        close();
    return ok;
}

bool HistoryStore::migrate()
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    int version = 0;
    if (q.exec(QStringLiteral("PRAGMA user_version")) && q.next())
        version = q.value(0).toInt();
    // Version 1: messages only. Version 2: direct messages, replies, edits, deletions and
    // reactions. Version 3: file attachments. Each step runs once; a newer file than this
    // program knows is refused.
    if (version > 3) {
        m_error = QStringLiteral("%1 was written by a newer Confab (schema %2)").arg(m_path).arg(version);
        return false;
    }
    if (version < 1) {
        if (!exec(QStringLiteral("CREATE TABLE IF NOT EXISTS messages ("
                                 " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                                 " id TEXT NOT NULL UNIQUE,"
                                 " sender TEXT NOT NULL,"
                                 " sender_key TEXT NOT NULL,"
                                 " client_id TEXT NOT NULL,"
                                 " time_ms INTEGER NOT NULL,"
                                 " text TEXT NOT NULL)"))
            || !exec(QStringLiteral("CREATE UNIQUE INDEX IF NOT EXISTS messages_client"
                                    " ON messages(sender_key, client_id)")))
            return false;
    }
    if (version < 2) {
        // A database from before versioning may already have some of these.
        QStringList have;
        if (q.exec(QStringLiteral("PRAGMA table_info(messages)"))) {
            while (q.next())
                have.append(q.value(1).toString());
        }
        const QList<std::pair<QString, QString>> columns = {
            { QStringLiteral("recipient"), QStringLiteral("TEXT") },
            { QStringLiteral("recipient_key"), QStringLiteral("TEXT") },
            { QStringLiteral("reply_to"), QStringLiteral("TEXT") },
            { QStringLiteral("edited"), QStringLiteral("INTEGER NOT NULL DEFAULT 0") },
            { QStringLiteral("deleted"), QStringLiteral("INTEGER NOT NULL DEFAULT 0") },
        };
        for (const auto &[name, type] : columns) {
            if (!have.contains(name)
                && !exec(QStringLiteral("ALTER TABLE messages ADD COLUMN %1 %2").arg(name, type)))
                return false;
        }
        if (!exec(QStringLiteral("CREATE TABLE IF NOT EXISTS reactions ("
                                 " message_id TEXT NOT NULL,"
                                 " nick_key TEXT NOT NULL,"
                                 " nick TEXT NOT NULL,"
                                 " emoji TEXT NOT NULL,"
                                 " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                                 " UNIQUE(message_id, nick_key, emoji))"))
            || !exec(QStringLiteral("CREATE INDEX IF NOT EXISTS messages_recipient"
                                    " ON messages(recipient_key)"))
            || !exec(QStringLiteral("PRAGMA user_version = 2")))
            return false;
    }
    if (version < 3) {
        // Nullable: a text message has no file. The file's bytes are in DATA/files/<file_id>.
        const QStringList columns = { QStringLiteral("file_id TEXT"), QStringLiteral("file_name TEXT"),
                                      QStringLiteral("file_size INTEGER"),
                                      QStringLiteral("file_mime TEXT"),
                                      QStringLiteral("file_sha256 TEXT") };
        for (const QString &column : columns) {
            if (!exec(QStringLiteral("ALTER TABLE messages ADD COLUMN %1").arg(column)))
                return false;
        }
        if (!exec(QStringLiteral("CREATE INDEX IF NOT EXISTS messages_file ON messages(file_id)"))
            || !exec(QStringLiteral("PRAGMA user_version = 3")))
            return false;
    }
    return true;
}

void HistoryStore::close()
{
    m_prepared.reset(); // statements go before their connection
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

bool HistoryStore::isOpen() const
{
    return QSqlDatabase::contains(m_connection)
        && QSqlDatabase::database(m_connection, false).isOpen();
}

bool HistoryStore::exec(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (!q.exec(sql)) {
        m_error = QStringLiteral("%1: %2").arg(sql.left(60), q.lastError().text());
        return false;
    }
    return true;
}

HistoryStore::Appended HistoryStore::append(const QString &from, const QString &senderKey,
                                            const QString &clientId, const QString &text,
                                            const QDateTime &time)
{
    return append(NewMessage { from, senderKey, clientId, text, time, {}, {}, {} });
}

HistoryStore::Appended HistoryStore::stored(const QString &senderKey,
                                            const QString &clientId) const
{
    Appended result;
    QSqlQuery &existing = m_prepared->stored;
    existing.addBindValue(senderKey);
    existing.addBindValue(clientId);
    if (existing.exec() && existing.next()) {
        QList<ChatMessage> one { readMessage(existing) };
        existing.finish();
        attachReactions(one);
        result.message = one.first();
        result.duplicate = true;
        result.ok = true;
    }
    existing.finish();
    return result;
}

HistoryStore::Appended HistoryStore::append(const NewMessage &n)
{
    Appended result = stored(n.senderKey, n.clientId);
    if (result.ok)
        return result;
    const QSqlDatabase db = QSqlDatabase::database(m_connection, false);

    ChatMessage m;
    m.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.from = n.from;
    m.time = n.time;
    m.text = n.text;
    m.to = n.to;
    m.replyTo = n.replyTo;
    m.file = n.file;
    // One transaction for the message and any trimming it makes due: one commit each.
    QSqlDatabase(db).transaction();
    QSqlQuery &insert = m_prepared->insert;
    insert.addBindValue(m.id);
    insert.addBindValue(n.from);
    insert.addBindValue(n.senderKey);
    insert.addBindValue(n.clientId);
    insert.addBindValue(n.time.toMSecsSinceEpoch());
    insert.addBindValue(n.text);
    insert.addBindValue(nullIfEmpty(n.to));
    insert.addBindValue(nullIfEmpty(n.toKey));
    insert.addBindValue(nullIfEmpty(n.replyTo));
    const bool hasFile = !n.file.isEmpty();
    insert.addBindValue(nullIfEmpty(n.file.id));
    insert.addBindValue(hasFile ? QVariant(n.file.name) : QVariant(QMetaType(QMetaType::QString)));
    insert.addBindValue(hasFile ? QVariant(n.file.size) : QVariant(QMetaType(QMetaType::LongLong)));
    insert.addBindValue(hasFile ? QVariant(n.file.mime) : QVariant(QMetaType(QMetaType::QString)));
    insert.addBindValue(hasFile ? QVariant(n.file.sha256) : QVariant(QMetaType(QMetaType::QString)));
    if (!insert.exec()) {
        m_error = insert.lastError().text();
        QSqlDatabase(db).rollback();
        return result;
    }
    m.seq = insert.lastInsertId().toLongLong();
    if (m_oldestKept == 0)
        m_oldestKept = m.seq;
    const qint64 trimTo = m.seq - m_historyLimit;
    if (m_historyLimit > 0 && trimTo >= m_oldestKept) {
        // Reactions go with their messages, or the table would only ever grow.
        m_prepared->trimReactions.addBindValue(trimTo);
        m_prepared->trimFiles.addBindValue(trimTo);
        m_prepared->trim.addBindValue(trimTo);
        m_prepared->trimReactions.exec();
        if (m_prepared->trimFiles.exec()) {
            while (m_prepared->trimFiles.next())
                result.trimmedFiles.append(m_prepared->trimFiles.value(0).toString());
            m_prepared->trimFiles.finish();
        }
        m_prepared->trim.exec();
        m_oldestKept = trimTo + 1;
    }
    if (!QSqlDatabase(db).commit()) {
        m_error = QSqlDatabase(db).lastError().text();
        return result;
    }
    result.message = m;
    result.ok = true;
    return result;
}

HistoryStore::Changed HistoryStore::load(const QString &id) const
{
    Changed c;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE id = ?").arg(Columns));
    q.addBindValue(id);
    if (!q.exec())
        return c;
    if (!q.next()) {
        c.result = Change::NotFound;
        return c;
    }
    QList<ChatMessage> one { readMessage(q) };
    attachReactions(one);
    c.message = one.first();
    c.senderKey = q.value(9).toString();
    c.recipientKey = q.value(10).toString();
    c.result = Change::Done;
    return c;
}

HistoryStore::Changed HistoryStore::message(const QString &id, const QString &viewerKey) const
{
    Changed c = load(id);
    if (c.result == Change::Done && !c.recipientKey.isEmpty() && c.senderKey != viewerKey
        && c.recipientKey != viewerKey)
        c.result = Change::NotFound; // others' direct messages do not exist for this viewer
    return c;
}

HistoryStore::Changed HistoryStore::messageWithFile(const QString &fileId,
                                                    const QString &viewerKey) const
{
    Changed c;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("SELECT id FROM messages WHERE file_id = ? AND deleted = 0"));
    q.addBindValue(fileId);
    if (!q.exec())
        return c;
    if (!q.next()) {
        c.result = Change::NotFound;
        return c;
    }
    return message(q.value(0).toString(), viewerKey);
}

QStringList HistoryStore::fileIds(bool *ok) const
{
    QStringList ids;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    const bool done =
        q.exec(QStringLiteral("SELECT file_id FROM messages WHERE file_id IS NOT NULL AND deleted = 0"));
    while (done && q.next())
        ids.append(q.value(0).toString());
    if (ok)
        *ok = done;
    return ids;
}

HistoryStore::Changed HistoryStore::edit(const QString &id, const QString &editorKey,
                                         const QString &text)
{
    Changed c = message(id, editorKey);
    if (c.result != Change::Done)
        return c;
    if (c.senderKey != editorKey || c.message.deleted) {
        c.result = c.message.deleted ? Change::NotFound : Change::NotAllowed;
        return c;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("UPDATE messages SET text = ?, edited = 1 WHERE id = ?"));
    q.addBindValue(text);
    q.addBindValue(id);
    if (!q.exec()) {
        m_error = q.lastError().text();
        c.result = Change::Failed;
        return c;
    }
    c.message.text = text;
    c.message.edited = true;
    return c;
}

HistoryStore::Changed HistoryStore::remove(const QString &id, const QString &editorKey)
{
    Changed c = message(id, editorKey);
    if (c.result != Change::Done)
        return c;
    if (c.senderKey != editorKey) {
        c.result = Change::NotAllowed;
        return c;
    }
    // The row stays (its seq keeps everyone's history in step); its content goes.
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QStringLiteral("UPDATE messages SET text = '', deleted = 1 WHERE id = ?"));
    q.addBindValue(id);
    QSqlQuery r(QSqlDatabase::database(m_connection, false));
    r.prepare(QStringLiteral("DELETE FROM reactions WHERE message_id = ?"));
    r.addBindValue(id);
    if (!q.exec() || !r.exec()) {
        m_error = q.lastError().text();
        c.result = Change::Failed;
        return c;
    }
    c.message.text.clear();
    c.message.file = {};
    c.message.deleted = true;
    c.message.reactions.clear();
    return c;
}

HistoryStore::Changed HistoryStore::react(const QString &id, const QString &nick,
                                          const QString &nickKey, const QString &emoji, bool add)
{
    Changed c = message(id, nickKey);
    if (c.result != Change::Done)
        return c;
    if (c.message.deleted) {
        c.result = Change::NotFound;
        return c;
    }
    const bool known = std::any_of(c.message.reactions.cbegin(), c.message.reactions.cend(),
                                   [&](const Reaction &r) { return r.emoji == emoji; });
    if (add && !known && c.message.reactions.size() >= Confab::Limits::MaxReactionKinds) {
        c.result = Change::Full;
        return c;
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (add) {
        q.prepare(QStringLiteral("INSERT OR IGNORE INTO reactions (message_id, nick_key, nick,"
                                 " emoji) VALUES (?, ?, ?, ?)"));
        q.addBindValue(id);
        q.addBindValue(nickKey);
        q.addBindValue(nick);
        q.addBindValue(emoji);
    } else {
        q.prepare(QStringLiteral("DELETE FROM reactions WHERE message_id = ? AND nick_key = ?"
                                 " AND emoji = ?"));
        q.addBindValue(id);
        q.addBindValue(nickKey);
        q.addBindValue(emoji);
    }
    if (!q.exec()) {
        m_error = q.lastError().text();
        c.result = Change::Failed;
        return c;
    }
    return message(id, nickKey);
}

void HistoryStore::attachReactions(QList<ChatMessage> &messages) const
{
    if (messages.isEmpty())
        return;
    QHash<QString, qsizetype> byId;
    QStringList marks;
    for (qsizetype i = 0; i < messages.size(); ++i) {
        byId.insert(messages.at(i).id, i);
        marks.append(QStringLiteral("?"));
    }
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT message_id, emoji, nick FROM reactions"
                             " WHERE message_id IN (%1) ORDER BY seq")
                  .arg(marks.join(QLatin1Char(','))));
    for (const ChatMessage &m : std::as_const(messages))
        q.addBindValue(m.id);
    if (!q.exec())
        return;
    while (q.next()) {
        ChatMessage &m = messages[byId.value(q.value(0).toString())];
        const QString emoji = q.value(1).toString();
        auto it = std::find_if(m.reactions.begin(), m.reactions.end(),
                               [&](const Reaction &r) { return r.emoji == emoji; });
        if (it == m.reactions.end())
            it = m.reactions.insert(m.reactions.end(), Reaction { emoji, {} });
        it->nicks.append(q.value(2).toString());
    }
}

HistoryStore::Page HistoryStore::query(const QString &where, qint64 seq, int limit,
                                       bool newestFirst, const QString &viewerKey) const
{
    Page page;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE %2 AND %3 ORDER BY seq %4 LIMIT :limit")
                  .arg(Columns, where, Visible,
                       newestFirst ? QStringLiteral("DESC") : QStringLiteral("ASC")));
    if (seq >= 0)
        q.bindValue(QStringLiteral(":seq"), seq);
    q.bindValue(QStringLiteral(":viewer"), viewerKey);
    q.bindValue(QStringLiteral(":limit"), limit + 1); // one more tells whether there is more
    if (!q.exec())
        return page;
    while (q.next())
        page.messages.append(readMessage(q));
    if (page.messages.size() > limit) {
        page.hasMore = true;
        page.messages.removeLast();
    }
    if (newestFirst)
        std::reverse(page.messages.begin(), page.messages.end());
    attachReactions(page.messages);
    return page;
}

HistoryStore::Page HistoryStore::latest(int limit, const QString &viewerKey) const
{
    return query(QStringLiteral("1"), -1, limit, true, viewerKey);
}

HistoryStore::Page HistoryStore::before(qint64 seq, int limit, const QString &viewerKey) const
{
    return query(QStringLiteral("seq < :seq"), seq, limit, true, viewerKey);
}

HistoryStore::Page HistoryStore::after(qint64 seq, int limit, const QString &viewerKey) const
{
    return query(QStringLiteral("seq > :seq"), seq, limit, false, viewerKey);
}

QList<ChatMessage> HistoryStore::search(const QString &query, int limit,
                                        const QString &viewerKey) const
{
    QString pattern = query;
    pattern.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('%'), QStringLiteral("\\%"))
        .replace(QLatin1Char('_'), QStringLiteral("\\_"));
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM messages WHERE deleted = 0 AND text LIKE :pattern"
                             " ESCAPE '\\' AND %2 ORDER BY seq DESC LIMIT :limit")
                  .arg(Columns, Visible));
    q.bindValue(QStringLiteral(":pattern"), QStringLiteral("%") + pattern + QStringLiteral("%"));
    q.bindValue(QStringLiteral(":viewer"), viewerKey);
    q.bindValue(QStringLiteral(":limit"), limit);
    QList<ChatMessage> found;
    if (!q.exec())
        return found;
    while (q.next())
        found.append(readMessage(q));
    attachReactions(found);
    return found;
}

qint64 HistoryStore::lastSeq() const
{
    // sqlite_sequence remembers the highest seq ever handed out, even once trimmed.
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (q.exec(QStringLiteral("SELECT seq FROM sqlite_sequence WHERE name = 'messages'"))
        && q.next())
        return q.value(0).toLongLong();
    return 0;
}

qint64 HistoryStore::count() const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    if (q.exec(QStringLiteral("SELECT COUNT(*) FROM messages")) && q.next())
        return q.value(0).toLongLong();
    return 0;
}
