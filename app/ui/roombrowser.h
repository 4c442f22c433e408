#pragma once

#include <QUrl>
#include <QWidget>

class QAbstractItemModel;
class QLabel;
class QSortFilterProxyModel;
class QTreeView;

// The rooms heard on the local network, for the start dialog's join page: one row per room
// with its name (a lock when it asks for a password), how many are in it, "wss" when it is
// encrypted, and its address. Shows a RoomListModel (RoomFinder's) as it changes, sorted
// by the column the user picks; the room this machine hosts is left out. Activating a row
// (double-click, Enter) says which room was chosen.
class RoomBrowser final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomBrowser)

public:
    enum Column { NameColumn, MembersColumn, SecurityColumn, AddressColumn, ColumnCount };

    explicit RoomBrowser(QWidget *parent = nullptr);
    ~RoomBrowser() override;

    // A RoomListModel (roles as there), or null for none. Not owned.
    void setRooms(QAbstractItemModel *rooms);
    // Leaves the room with this id out (the one this machine hosts); empty: show all.
    void setHiddenRoomId(const QString &roomId);

    QTreeView *view() const { return m_view; }
    // Rows shown (hidden room and filter applied).
    int roomCount() const;

Q_SIGNALS:
    // The user picked a room: join `url` (ws:// or wss://).
    void roomActivated(const QUrl &url, const QString &name, bool needsPassword);

private:
    void updatePlaceholder();

    QSortFilterProxyModel *m_sorted;
    QAbstractItemModel *m_columns;
    QTreeView *m_view;
    QLabel *m_placeholder;
};
