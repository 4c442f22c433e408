#pragma once

#include "common/messagemodel.h"

#include <QList>
#include <QString>

// The chat rows of a MessageModel (no join/leave/info lines), as the view shows them.
struct ChatRow
{
    qint64 seq = 0;
    QString from;
    QString text;
    MessageModel::Status status = MessageModel::Status::Delivered;
};

inline QList<ChatRow> chatRows(const MessageModel &model)
{
    QList<ChatRow> rows;
    for (int r = 0; r < model.rowCount(); ++r) {
        const QModelIndex index = model.index(r);
        if (index.data(MessageModel::KindRole).value<MessageModel::Kind>()
            != MessageModel::Kind::Chat)
            continue;
        rows.append({ index.data(MessageModel::SeqRole).toLongLong(),
                      index.data(MessageModel::SenderRole).toString(),
                      index.data(MessageModel::TextRole).toString(),
                      index.data(MessageModel::StatusRole).value<MessageModel::Status>() });
    }
    return rows;
}
