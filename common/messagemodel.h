#pragma once

#include "common/protocol.h"

#include <QAbstractListModel>
#include <QHash>
#include <QList>

// The conversation as a list model: chat messages in `seq` order, join/leave/info lines
// where they happened, and the user's own messages still on their way at the end. Messages
// are keyed by `seq`: adding one that is already there updates it instead of duplicating
// it, so history pages, resume and live traffic can overlap without showing anything twice.
class MessageModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MessageModel)

public:
    enum class Kind { Chat, Joined, Left, Info };
    Q_ENUM(Kind)
    enum class Status { Delivered, Sending, Failed };
    Q_ENUM(Status)
    enum Role {
        KindRole = Qt::UserRole + 1,
        SeqRole,
        IdRole,
        SenderRole,
        TimeRole,
        TextRole,
        StatusRole,
        ErrorRole,
        ClientIdRole,
        ToRole, // a direct message's recipient; empty for the room
        ReplyToRole, // the id of the message this one answers
        EditedRole,
        DeletedRole,
        ReactionsRole, // QVariantList of QVariantMap { emoji, nicks (QStringList), count }
        IsDirectRole,
        FileRole, // QVariantMap { id, name, size, mime, sha256 }; empty without a file
    };

    explicit MessageModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Stored messages, in any order; each goes to its place by seq.
    void addMessage(const Confab::Protocol::ChatMessage &message);
    void addMessages(QList<Confab::Protocol::ChatMessage> messages);
    // A line about the room (someone joined or left, the connection dropped...).
    void addEvent(Kind kind, const QString &text, const QDateTime &time);
    // The user's own message, shown at once as "sending".
    void addPending(const QString &clientId, const QString &from, const QString &text,
                    const QDateTime &time, const QString &to = {},
                    const QString &replyTo = {});
    // The row holding the message with this id, or -1.
    int rowOfId(const QString &id) const;
    // The server stored the pending message: it becomes an ordinary message at `seq`.
    void acknowledge(const QString &clientId, const QString &id, qint64 seq);
    // The server refused it for good: it stays, marked failed with the reason.
    void fail(const QString &clientId, const QString &reason);
    void clear();

    bool containsSeq(qint64 seq) const;
    qint64 firstSeq() const; // 0 when there is none
    qint64 lastSeq() const;
    int chatCount() const { return int(m_seqIndex.size()); }
    int pendingCount() const;

private:
    struct Row
    {
        Kind kind = Kind::Chat;
        Status status = Status::Delivered;
        // Sort key: chat rows sit at (seq, 0); an event sits at (last seq seen, 1), after
        // the message it followed. Pending rows are outside the sorted part.
        qint64 key = 0;
        int subKey = 0;
        Confab::Protocol::ChatMessage message;
        QString clientId;
        QString error;
    };

    int insertPosition(qint64 key, int subKey) const;
    int findSeq(qint64 seq) const;
    int findPending(const QString &clientId) const;
    void updateRow(int row, const Confab::Protocol::ChatMessage &message);

    QList<Row> m_rows; // sorted part first, then pending rows
    int m_sortedCount = 0;
    QHash<qint64, bool> m_seqIndex; // seqs present, for O(1) duplicate checks
};
