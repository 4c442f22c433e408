#pragma once

#include "common/protocol.h"

#include <QString>

// The room's history in SQLite (WAL mode). `seq` is the table's AUTOINCREMENT key, so it
// never goes back, across restarts and after old rows are trimmed. A message is on disk
// (in the WAL, which survives the server being killed) when append() returns.
class HistoryStore final
{
    Q_DISABLE_COPY_MOVE(HistoryStore)

public:
    struct Appended
    {
        Confab::Protocol::ChatMessage message;
        bool duplicate = false; // this sender already stored this clientId: nothing new
        bool ok = false;
    };
    struct Page
    {
        QList<Confab::Protocol::ChatMessage> messages; // oldest first
        bool hasMore = false;
    };

    HistoryStore();
    ~HistoryStore();

    // Opens (creating if needed) DIR/history.sqlite. On failure errorString() says why.
    bool open(const QString &directory, int historyLimit);
    void close();
    bool isOpen() const;
    QString errorString() const { return m_error; }
    QString filePath() const { return m_path; }

    Appended append(const QString &from, const QString &senderKey, const QString &clientId,
                    const QString &text, const QDateTime &time);

    Page latest(int limit) const;
    Page before(qint64 seq, int limit) const; // the `limit` newest messages below seq
    Page after(qint64 seq, int limit) const; // the `limit` oldest messages above seq
    qint64 lastSeq() const;
    qint64 count() const;

private:
    bool exec(const QString &sql);
    Page query(const QString &sql, qint64 seq, int limit, bool newestFirst) const;

    QString m_connection;
    QString m_path;
    QString m_error;
    int m_historyLimit = 0;
};
