#include "server/historystore.h"

#include <QDir>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>

using Confab::Protocol::ChatMessage;

namespace {

int nextConnectionNumber()
{
    static int n = 0;
    return ++n;
}

ChatMessage readMessage(const QSqlQuery &q)
{
    ChatMessage m;
    m.seq = q.value(0).toLongLong();
    m.id = q.value(1).toString();
    m.from = q.value(2).toString();
    m.time = QDateTime::fromMSecsSinceEpoch(q.value(3).toLongLong()).toUTC();
    m.text = q.value(4).toString();
    return m;
}

} // namespace

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
    const bool ok = exec(QStringLiteral("PRAGMA journal_mode=WAL"))
        && exec(QStringLiteral("PRAGMA synchronous=NORMAL"))
        && exec(QStringLiteral("PRAGMA busy_timeout=2000"))
        && exec(QStringLiteral("CREATE TABLE IF NOT EXISTS messages ("
                               " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
                               " id TEXT NOT NULL UNIQUE,"
                               " sender TEXT NOT NULL,"
                               " sender_key TEXT NOT NULL,"
                               " client_id TEXT NOT NULL,"
                               " time_ms INTEGER NOT NULL,"
                               " text TEXT NOT NULL)"))
        && exec(QStringLiteral("CREATE UNIQUE INDEX IF NOT EXISTS messages_client"
                               " ON messages(sender_key, client_id)"));
    if (!ok)
        close();
    return ok;
}

void HistoryStore::close()
{
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
    Appended result;
    const QSqlDatabase db = QSqlDatabase::database(m_connection, false);

    QSqlQuery existing(db);
    existing.prepare(QStringLiteral("SELECT seq, id, sender, time_ms, text FROM messages"
                                    " WHERE sender_key = ? AND client_id = ?"));
    existing.addBindValue(senderKey);
    existing.addBindValue(clientId);
    if (existing.exec() && existing.next()) {
        result.message = readMessage(existing);
        result.duplicate = true;
        result.ok = true;
        return result;
    }

    ChatMessage m;
    m.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m.from = from;
    m.time = time;
    m.text = text;
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO messages (id, sender, sender_key, client_id,"
                                  " time_ms, text) VALUES (?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(m.id);
    insert.addBindValue(from);
    insert.addBindValue(senderKey);
    insert.addBindValue(clientId);
    insert.addBindValue(time.toMSecsSinceEpoch());
    insert.addBindValue(text);
    if (!insert.exec()) {
        m_error = insert.lastError().text();
        return result;
    }
    m.seq = insert.lastInsertId().toLongLong();
    if (m_historyLimit > 0) {
        QSqlQuery trim(db);
        trim.prepare(QStringLiteral("DELETE FROM messages WHERE seq <= ?"));
        trim.addBindValue(m.seq - m_historyLimit);
        trim.exec();
    }
    result.message = m;
    result.ok = true;
    return result;
}

HistoryStore::Page HistoryStore::query(const QString &sql, qint64 seq, int limit,
                                       bool newestFirst) const
{
    Page page;
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    q.prepare(sql);
    if (seq >= 0)
        q.addBindValue(seq);
    q.addBindValue(limit + 1); // one more than asked tells whether there is more
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
    return page;
}

HistoryStore::Page HistoryStore::latest(int limit) const
{
    return query(QStringLiteral("SELECT seq, id, sender, time_ms, text FROM messages"
                                " ORDER BY seq DESC LIMIT ?"),
                 -1, limit, true);
}

HistoryStore::Page HistoryStore::before(qint64 seq, int limit) const
{
    return query(QStringLiteral("SELECT seq, id, sender, time_ms, text FROM messages"
                                " WHERE seq < ? ORDER BY seq DESC LIMIT ?"),
                 seq, limit, true);
}

HistoryStore::Page HistoryStore::after(qint64 seq, int limit) const
{
    return query(QStringLiteral("SELECT seq, id, sender, time_ms, text FROM messages"
                                " WHERE seq > ? ORDER BY seq ASC LIMIT ?"),
                 seq, limit, false);
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
