#include "common/messagemodel.h"

#include <algorithm>

using Confab::Protocol::ChatMessage;

MessageModel::MessageModel(QObject *parent) : QAbstractListModel(parent) { }

int MessageModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant MessageModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return row.kind == Kind::Chat ? row.message.from + QStringLiteral(": ") + row.message.text
                                      : row.message.text;
    case Qt::ToolTipRole:
        return row.status == Status::Failed ? row.error : QVariant();
    case KindRole:
        return QVariant::fromValue(row.kind);
    case SeqRole:
        return row.message.seq;
    case IdRole:
        return row.message.id;
    case SenderRole:
        return row.message.from;
    case TimeRole:
        return row.message.time;
    case TextRole:
        return row.message.text;
    case StatusRole:
        return QVariant::fromValue(row.status);
    case ErrorRole:
        return row.error;
    case ClientIdRole:
        return row.clientId;
    case ToRole:
        return row.message.to;
    case IsDirectRole:
        return !row.message.to.isEmpty();
    case ReplyToRole:
        return row.message.replyTo;
    case EditedRole:
        return row.message.edited;
    case DeletedRole:
        return row.message.deleted;
    case FileRole:
        if (row.message.file.isEmpty())
            return QVariantMap();
        return QVariantMap { { QStringLiteral("id"), row.message.file.id },
                             { QStringLiteral("name"), row.message.file.name },
                             { QStringLiteral("size"), row.message.file.size },
                             { QStringLiteral("mime"), row.message.file.mime },
                             { QStringLiteral("sha256"), row.message.file.sha256 } };
    case ReactionsRole: {
        QVariantList list;
        for (const Confab::Protocol::Reaction &r : row.message.reactions)
            list.append(QVariantMap { { QStringLiteral("emoji"), r.emoji },
                                      { QStringLiteral("nicks"), r.nicks },
                                      { QStringLiteral("count"), r.nicks.size() } });
        return list;
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> MessageModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert({ { KindRole, "kind" },
                   { SeqRole, "seq" },
                   { IdRole, "messageId" },
                   { SenderRole, "sender" },
                   { TimeRole, "time" },
                   { TextRole, "text" },
                   { StatusRole, "status" },
                   { ErrorRole, "error" },
                   { ClientIdRole, "clientId" },
                   { ToRole, "to" },
                   { ReplyToRole, "replyTo" },
                   { EditedRole, "edited" },
                   { DeletedRole, "deleted" },
                   { ReactionsRole, "reactions" },
                   { IsDirectRole, "isDirect" },
                   { FileRole, "file" } });
    return names;
}

int MessageModel::insertPosition(qint64 key, int subKey) const
{
    // Nearly every insert is at the end (live traffic) or at the front (older pages).
    const auto less = [](const Row &row, std::pair<qint64, int> k) {
        return std::pair(row.key, row.subKey) < k;
    };
    if (m_sortedCount == 0 || less(m_rows.at(m_sortedCount - 1), { key, subKey }))
        return m_sortedCount;
    const auto it =
        std::lower_bound(m_rows.cbegin(), m_rows.cbegin() + m_sortedCount, std::pair(key, subKey), less);
    return int(it - m_rows.cbegin());
}

int MessageModel::findSeq(qint64 seq) const
{
    if (!m_seqIndex.contains(seq))
        return -1;
    const int pos = insertPosition(seq, 0);
    return pos < m_sortedCount && m_rows.at(pos).key == seq && m_rows.at(pos).subKey == 0 ? pos
                                                                                          : -1;
}

int MessageModel::findPending(const QString &clientId) const
{
    for (int i = m_sortedCount; i < m_rows.size(); ++i) {
        if (m_rows.at(i).clientId == clientId)
            return i;
    }
    return -1;
}

void MessageModel::updateRow(int row, const ChatMessage &message)
{
    Row &r = m_rows[row];
    if (r.message == message)
        return;
    r.message = message;
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i);
}

void MessageModel::addMessage(const ChatMessage &message)
{
    addMessages({ message });
}

void MessageModel::addMessages(QList<ChatMessage> messages)
{
    std::sort(messages.begin(), messages.end(),
              [](const ChatMessage &a, const ChatMessage &b) { return a.seq < b.seq; });
    // Insert runs that land at the same place in one go: a page of 500 older messages is
    // one rowsInserted, not 500.
    qsizetype i = 0;
    while (i < messages.size()) {
        const ChatMessage &first = messages.at(i);
        if (const int existing = findSeq(first.seq); existing >= 0) {
            updateRow(existing, first);
            ++i;
            continue;
        }
        const int pos = insertPosition(first.seq, 0);
        // The run continues while the next message would land at the same position.
        qsizetype j = i + 1;
        while (j < messages.size() && messages.at(j).seq != messages.at(j - 1).seq
               && !m_seqIndex.contains(messages.at(j).seq)
               && insertPosition(messages.at(j).seq, 0) == pos)
            ++j;
        beginInsertRows({}, pos, pos + int(j - i) - 1);
        QList<Row> run;
        run.reserve(j - i);
        for (qsizetype k = i; k < j; ++k) {
            Row row;
            row.key = messages.at(k).seq;
            row.message = messages.at(k);
            run.append(std::move(row));
            m_seqIndex.insert(messages.at(k).seq, true);
        }
        m_rows.insert(pos, run.size(), Row());
        std::move(run.begin(), run.end(), m_rows.begin() + pos);
        m_sortedCount += int(run.size());
        endInsertRows();
        i = j;
        // Skip exact duplicates inside the batch.
        while (i < messages.size() && messages.at(i).seq == messages.at(i - 1).seq)
            ++i;
    }
}

void MessageModel::addEvent(Kind kind, const QString &text, const QDateTime &time)
{
    Row row;
    row.kind = kind;
    row.key = lastSeq();
    row.subKey = 1;
    row.message.text = text;
    row.message.time = time;
    const int pos = m_sortedCount;
    beginInsertRows({}, pos, pos);
    m_rows.insert(pos, std::move(row));
    ++m_sortedCount;
    endInsertRows();
}

int MessageModel::rowOfId(const QString &id) const
{
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (m_rows.at(i).message.id == id)
            return i;
    }
    return -1;
}

void MessageModel::addPending(const QString &clientId, const QString &from, const QString &text,
                              const QDateTime &time, const QString &to,
                              const QString &replyTo)
{
    Row row;
    row.message.to = to;
    row.message.replyTo = replyTo;
    row.status = Status::Sending;
    row.clientId = clientId;
    row.message.from = from;
    row.message.text = text;
    row.message.time = time;
    const int pos = int(m_rows.size());
    beginInsertRows({}, pos, pos);
    m_rows.append(std::move(row));
    endInsertRows();
}

void MessageModel::acknowledge(const QString &clientId, const QString &id, qint64 seq)
{
    const int pending = findPending(clientId);
    if (pending < 0)
        return;
    ChatMessage message = m_rows.at(pending).message;
    beginRemoveRows({}, pending, pending);
    m_rows.removeAt(pending);
    endRemoveRows();
    message.id = id;
    message.seq = seq;
    if (!m_seqIndex.contains(seq))
        addMessage(message);
}

void MessageModel::fail(const QString &clientId, const QString &reason)
{
    const int pending = findPending(clientId);
    if (pending < 0)
        return;
    Row &row = m_rows[pending];
    row.status = Status::Failed;
    row.error = reason;
    const QModelIndex i = index(pending);
    Q_EMIT dataChanged(i, i);
}

void MessageModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_sortedCount = 0;
    m_seqIndex.clear();
    endResetModel();
}

bool MessageModel::containsSeq(qint64 seq) const
{
    return m_seqIndex.contains(seq);
}

qint64 MessageModel::firstSeq() const
{
    for (int i = 0; i < m_sortedCount; ++i) {
        if (m_rows.at(i).subKey == 0)
            return m_rows.at(i).key;
    }
    return 0;
}

qint64 MessageModel::lastSeq() const
{
    for (int i = m_sortedCount - 1; i >= 0; --i) {
        if (m_rows.at(i).subKey == 0)
            return m_rows.at(i).key;
    }
    return 0;
}

int MessageModel::pendingCount() const
{
    return int(m_rows.size()) - m_sortedCount;
}
