#pragma once

#include "common/protocol.h"

#include <QString>

#include <memory>

// The room's history in SQLite (WAL mode). `seq` is the table's AUTOINCREMENT key, so it
// never goes back, across restarts and after old rows are trimmed. A message is on disk
// (in the WAL, which survives the server being killed) when append() returns.
//
// Direct messages live in the same table with a recipient; every read takes the viewer's
// nickname key and returns only what that viewer may see (room messages, and direct
// messages they sent or received).
class HistoryStore final
{
    Q_DISABLE_COPY_MOVE(HistoryStore)

public:
    struct Appended
    {
        Confab::Protocol::ChatMessage message;
        bool duplicate = false; // this sender already stored this clientId: nothing new
        bool ok = false;
        // Files of older messages this one pushed out of the history limit: the room
        // deletes their bytes (DATA/files/<id>), or they would fill its storage cap.
        QStringList trimmedFiles;
    };
    struct Page
    {
        QList<Confab::Protocol::ChatMessage> messages; // oldest first
        bool hasMore = false;
    };
    // What a change to a stored message came to.
    enum class Change { Done, NotFound, NotAllowed, Full, Failed };
    struct Changed
    {
        Change result = Change::Failed;
        Confab::Protocol::ChatMessage message; // as it now is, when Done
        QString recipientKey; // for a direct message: who else may see it
        QString senderKey;
    };
    struct NewMessage
    {
        QString from;
        QString senderKey;
        QString clientId;
        QString text;
        QDateTime time;
        QString to; // direct message: the recipient's nickname and key
        QString toKey;
        QString replyTo;
        Confab::Protocol::FileInfo file {}; // an attachment, or empty
    };

    HistoryStore();
    ~HistoryStore();

    // Opens (creating or upgrading if needed) DIR/history.sqlite. On failure errorString()
    // says why.
    bool open(const QString &directory, int historyLimit);
    void close();
    bool isOpen() const;
    QString errorString() const { return m_error; }
    QString filePath() const { return m_path; }

    Appended append(const NewMessage &message);
    // What this sender already stored under this clientId (ok false when nothing).
    Appended stored(const QString &senderKey, const QString &clientId) const;
    // Kept for the tests and callers that post to the room.
    Appended append(const QString &from, const QString &senderKey, const QString &clientId,
                    const QString &text, const QDateTime &time);

    Changed edit(const QString &id, const QString &editorKey, const QString &text);
    Changed remove(const QString &id, const QString &editorKey);
    Changed react(const QString &id, const QString &nick, const QString &nickKey,
                  const QString &emoji, bool add);
    // The message as `viewerKey` may see it; NotFound for a direct message of others.
    Changed message(const QString &id, const QString &viewerKey) const;

    // The (not deleted) message carrying this file, as `viewerKey` may see it.
    Changed messageWithFile(const QString &fileId, const QString &viewerKey) const;
    // The files that messages still carry (not deleted, not trimmed).
    QStringList fileIds(bool *ok = nullptr) const;

    Page latest(int limit, const QString &viewerKey = {}) const;
    Page before(qint64 seq, int limit, const QString &viewerKey = {}) const;
    Page after(qint64 seq, int limit, const QString &viewerKey = {}) const;
    // Newest first; matches text case-insensitively (for ASCII) and literally.
    QList<Confab::Protocol::ChatMessage> search(const QString &query, int limit,
                                                const QString &viewerKey) const;
    qint64 lastSeq() const;
    qint64 count() const;

private:
    bool exec(const QString &sql);
    bool migrate();
    Page query(const QString &where, qint64 seq, int limit, bool newestFirst,
               const QString &viewerKey) const;
    void attachReactions(QList<Confab::Protocol::ChatMessage> &messages) const;
    Changed load(const QString &id) const;

    // The statements of the hot path (one chat message), prepared once.
    struct Prepared;
    std::unique_ptr<Prepared> m_prepared;
    qint64 m_oldestKept = 0; // the lowest seq still stored, so trimming runs only when due
    QString m_connection;
    QString m_path;
    QString m_error;
    int m_historyLimit = 0;
};
