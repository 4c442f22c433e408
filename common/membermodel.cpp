#include "common/membermodel.h"

#include "common/nickname.h"

#include <algorithm>

using Confab::Protocol::Member;

namespace {
bool nickLess(const QString &a, const QString &b)
{
    const int c = a.compare(b, Qt::CaseInsensitive);
    return c != 0 ? c < 0 : a < b;
}
} // namespace

MemberModel::MemberModel(QObject *parent) : QAbstractListModel(parent) { }

int MemberModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_members.size());
}

QVariant MemberModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Member &member = m_members.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NickRole:
        return member.nick;
    case StatusRole:
        return member.status;
    case IsAwayRole:
        return member.status == QLatin1String(Confab::Protocol::Status::Away);
    case Qt::ToolTipRole:
        return member.status == QLatin1String(Confab::Protocol::Status::Away) ? tr("Away")
                                                                              : tr("Online");
    case IsSelfRole:
        return !m_self.isEmpty() && Confab::Nickname::key(member.nick) == Confab::Nickname::key(m_self);
    default:
        return {};
    }
}

QHash<int, QByteArray> MemberModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(NickRole, "nick");
    names.insert(IsSelfRole, "isSelf");
    names.insert(StatusRole, "status");
    names.insert(IsAwayRole, "isAway");
    return names;
}

void MemberModel::setMembers(const QList<Member> &members)
{
    beginResetModel();
    m_members = members;
    std::sort(m_members.begin(), m_members.end(),
              [](const Member &a, const Member &b) { return nickLess(a.nick, b.nick); });
    endResetModel();
}

void MemberModel::addMember(const Member &member)
{
    if (find(member.nick) >= 0)
        return;
    const int pos = insertPosition(member.nick);
    beginInsertRows({}, pos, pos);
    m_members.insert(pos, member);
    endInsertRows();
}

void MemberModel::removeMember(const QString &nick)
{
    const int pos = find(nick);
    if (pos < 0)
        return;
    beginRemoveRows({}, pos, pos);
    m_members.removeAt(pos);
    endRemoveRows();
}

void MemberModel::clear()
{
    setMembers({});
}

void MemberModel::setSelf(const QString &nick)
{
    m_self = nick;
    if (!m_members.isEmpty())
        Q_EMIT dataChanged(index(0), index(int(m_members.size()) - 1), { IsSelfRole });
}

void MemberModel::setStatus(const QString &nick, const QString &status)
{
    const int pos = find(nick);
    if (pos < 0 || m_members.at(pos).status == status)
        return;
    m_members[pos].status = status;
    const QModelIndex i = index(pos);
    Q_EMIT dataChanged(i, i, { StatusRole, IsAwayRole, Qt::ToolTipRole });
}

bool MemberModel::contains(const QString &nick) const
{
    return find(nick) >= 0;
}

QStringList MemberModel::nicks() const
{
    QStringList list;
    list.reserve(m_members.size());
    for (const Member &m : m_members)
        list.append(m.nick);
    return list;
}

int MemberModel::find(const QString &nick) const
{
    const QString key = Confab::Nickname::key(nick);
    for (int i = 0; i < m_members.size(); ++i) {
        if (Confab::Nickname::key(m_members.at(i).nick) == key)
            return i;
    }
    return -1;
}

int MemberModel::insertPosition(const QString &nick) const
{
    const auto it = std::lower_bound(m_members.cbegin(), m_members.cend(), nick,
                                     [](const Member &m, const QString &n) { return nickLess(m.nick, n); });
    return int(it - m_members.cbegin());
}
