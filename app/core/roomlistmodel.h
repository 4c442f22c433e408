#pragma once

#include "common/announcement.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QHostAddress>
#include <QList>
#include <QUrl>

// The rooms heard on the local network, one row per room id, in the order first heard
// (sort with a QSortFilterProxyModel on NameRole if wanted). A room heard from several
// addresses (two interfaces, multicast and broadcast) stays one row that keeps every
// address and offers a non-loopback one first. RoomFinder feeds it; it has no sockets, so
// tests drive it directly with addresses and times of their choosing.
class RoomListModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomListModel)

public:
    enum Role {
        NameRole = Qt::UserRole + 1, // QString; also Qt::DisplayRole
        AddressRole, // QString "host:port" to join (the preferred address), as typed
        UrlRole, // QUrl ws://host:port, or wss:// when the room speaks TLS
        AddressesRole, // QStringList every "host:port" it was heard from, preferred first
        MembersRole, // int
        PasswordRole, // bool: the room asks for a password
        TlsRole, // bool
        LastSeenRole, // QDateTime (local clock) of the last announcement
        RoomIdRole, // QString, stable across the host's restarts
        VersionRole, // int: the chat protocol version it speaks
    };
    Q_ENUM(Role)

    explicit RoomListModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // One announcement heard from `sender` at `nowMs` (a monotonic clock). A "closing"
    // one removes the room at once.
    void heard(const Confab::Discovery::Announcement &announcement, const QHostAddress &sender,
               qint64 nowMs);
    // Forgets addresses not heard since nowMs - expiryMs, and rooms left with none.
    void expire(qint64 nowMs, int expiryMs);
    void clear();

    int rowOf(const QString &roomId) const; // -1 when not listed

Q_SIGNALS:
    void roomFound(const QString &roomId);
    void roomLost(const QString &roomId);

private:
    struct Source
    {
        QHostAddress address;
        qint64 lastMs = 0;
    };
    struct Room
    {
        Confab::Discovery::Announcement announcement;
        QList<Source> sources; // preferred first
        QDateTime lastSeen;
    };
    static void sortSources(QList<Source> &sources);
    static QString hostPort(const QHostAddress &address, quint16 port);
    void dropRow(int row);

    QList<Room> m_rooms;
};
