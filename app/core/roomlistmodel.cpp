#include "app/core/roomlistmodel.h"

#include <algorithm>

using Confab::Discovery::Announcement;

RoomListModel::RoomListModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

int RoomListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rooms.size());
}

QString RoomListModel::hostPort(const QHostAddress &address, quint16 port)
{
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
        : address.toString();
    return host + QLatin1Char(':') + QString::number(port);
}

QVariant RoomListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Room &room = m_rooms.at(index.row());
    const Announcement &a = room.announcement;
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return a.room;
    case AddressRole:
        return hostPort(room.sources.first().address, a.port);
    case UrlRole: {
        QUrl url;
        url.setScheme(a.tls ? QStringLiteral("wss") : QStringLiteral("ws"));
        url.setHost(room.sources.first().address.toString());
        url.setPort(a.port);
        return url;
    }
    case AddressesRole: {
        QStringList all;
        for (const Source &s : room.sources)
            all.append(hostPort(s.address, a.port));
        return all;
    }
    case MembersRole:
        return a.members;
    case PasswordRole:
        return a.password;
    case TlsRole:
        return a.tls;
    case LastSeenRole:
        return room.lastSeen;
    case RoomIdRole:
        return a.roomId;
    case VersionRole:
        return a.version;
    default:
        return {};
    }
}

QHash<int, QByteArray> RoomListModel::roleNames() const
{
    return {
        { Qt::DisplayRole, "display" }, { NameRole, "name" },
        { AddressRole, "address" },     { UrlRole, "url" },
        { AddressesRole, "addresses" }, { MembersRole, "members" },
        { PasswordRole, "password" },   { TlsRole, "tls" },
        { LastSeenRole, "lastSeen" },   { RoomIdRole, "roomId" },
        { VersionRole, "version" },
    };
}

int RoomListModel::rowOf(const QString &roomId) const
{
    for (int i = 0; i < m_rooms.size(); ++i) {
        if (m_rooms.at(i).announcement.roomId == roomId)
            return i;
    }
    return -1;
}

void RoomListModel::sortSources(QList<Source> &sources)
{
    // Another machine can reach a LAN address, and this one can too; loopback only works
    // here. Among equals the most recently heard wins, so a changed address takes over.
    std::stable_sort(sources.begin(), sources.end(), [](const Source &a, const Source &b) {
        const bool aLoop = a.address.isLoopback();
        const bool bLoop = b.address.isLoopback();
        if (aLoop != bLoop)
            return !aLoop;
        return a.lastMs > b.lastMs;
    });
}

void RoomListModel::heard(const Announcement &announcement, const QHostAddress &sender,
                          qint64 nowMs)
{
    QHostAddress from = sender;
    bool isV4 = false;
    const quint32 v4 = from.toIPv4Address(&isV4);
    if (isV4)
        from = QHostAddress(v4); // ::ffff:a.b.c.d from a dual-stack socket is a.b.c.d
    const int row = rowOf(announcement.roomId);
    if (announcement.closing) {
        if (row >= 0)
            dropRow(row);
        return;
    }
    if (row < 0) {
        Room room;
        room.announcement = announcement;
        room.sources.append({ from, nowMs });
        room.lastSeen = QDateTime::currentDateTime();
        const int at = int(m_rooms.size());
        beginInsertRows({}, at, at);
        m_rooms.append(std::move(room));
        endInsertRows();
        Q_EMIT roomFound(announcement.roomId);
        return;
    }
    Room &room = m_rooms[row];
    room.announcement = announcement;
    room.lastSeen = QDateTime::currentDateTime();
    auto it = std::find_if(room.sources.begin(), room.sources.end(),
                           [&](const Source &s) { return s.address.isEqual(from); });
    if (it == room.sources.end())
        room.sources.append({ from, nowMs });
    else
        it->lastMs = nowMs;
    sortSources(room.sources);
    const QModelIndex i = index(row);
    Q_EMIT dataChanged(i, i);
}

void RoomListModel::expire(qint64 nowMs, int expiryMs)
{
    for (int row = int(m_rooms.size()) - 1; row >= 0; --row) {
        Room &room = m_rooms[row];
        const qsizetype before = room.sources.size();
        room.sources.removeIf([&](const Source &s) { return nowMs - s.lastMs > expiryMs; });
        if (room.sources.isEmpty()) {
            dropRow(row);
        } else if (room.sources.size() != before) {
            const QModelIndex i = index(row);
            Q_EMIT dataChanged(i, i, { AddressRole, UrlRole, AddressesRole });
        }
    }
}

void RoomListModel::dropRow(int row)
{
    const QString roomId = m_rooms.at(row).announcement.roomId;
    beginRemoveRows({}, row, row);
    m_rooms.removeAt(row);
    endRemoveRows();
    Q_EMIT roomLost(roomId);
}

void RoomListModel::clear()
{
    beginResetModel();
    m_rooms.clear();
    endResetModel();
}
