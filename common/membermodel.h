#pragma once

#include "common/protocol.h"

#include <QAbstractListModel>

// The people in the room, sorted by nickname (case-insensitively) for the member list.
class MemberModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemberModel)

public:
    enum Role { NickRole = Qt::UserRole + 1, IsSelfRole, StatusRole, IsAwayRole };

    explicit MemberModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setMembers(const QList<Confab::Protocol::Member> &members);
    void addMember(const Confab::Protocol::Member &member);
    void removeMember(const QString &nick);
    void clear();
    void setSelf(const QString &nick);
    void setStatus(const QString &nick, const QString &status);

    bool contains(const QString &nick) const;
    QStringList nicks() const;

private:
    int find(const QString &nick) const;
    int insertPosition(const QString &nick) const;

    QList<Confab::Protocol::Member> m_members;
    QString m_self;
};
