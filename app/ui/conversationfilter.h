#pragma once

#include <QSortFilterProxyModel>

// One conversation out of the room's message model: the room itself (no partner: every
// row that is not a direct message, events included), or the direct messages between the
// user and one partner. Rows keep the source's order; nothing is sorted.
class ConversationFilter final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationFilter)

public:
    explicit ConversationFilter(QObject *parent = nullptr);
    ~ConversationFilter() override;

    // Empty: the room. The user's own nick tells which side of a direct message is theirs.
    void setConversation(const QString &partner, const QString &self);
    QString partner() const { return m_partner; }
    bool isRoom() const { return m_partner.isEmpty(); }

    // The partner a direct message row belongs with, from the user's side; empty for rows
    // of the room.
    static QString partnerOf(const QString &from, const QString &to, const QString &self);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_partner;
    QString m_self;
};
