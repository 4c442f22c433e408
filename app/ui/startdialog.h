#pragma once

#include "app/ui/settings.h"
#include "app/ui/startoptions.h"

#include <QDialog>
#include <QPointer>

class QAbstractItemModel;
class QCheckBox;
class QDialogButtonBox;
class QInputDialog;
class QLabel;
class QLineEdit;
class QListWidget;
class QSpinBox;
class QTabWidget;
class RoomBrowser;

// The first thing a user sees: choose a nickname, then host a room (its name, port,
// optional password, encryption) or join one: from the rooms heard on the network, from
// the rooms joined lately, or by address ("host", "host:port" or "ws://host:port", checked
// as typed). Accepting checks every field and says in a sentence what is wrong, instead of
// letting a bad value reach the network. A room known to ask for a password is asked for
// before the dialog closes.
class StartDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StartDialog)

public:
    enum class Page { Host, Join };
    Q_ENUM(Page)

    explicit StartDialog(QWidget *parent = nullptr);
    ~StartDialog() override;

    // Fills the fields: Mode::Join opens the join page, anything else the host page. The
    // host config's other settings (data directory, limits) are kept and handed back.
    void setOptions(const StartOptions &options);
    // What the user chose, checked: Mode::Host or Mode::Join with a normalised nickname.
    StartOptions options() const { return m_result; }

    // The rooms heard on the network (a RoomListModel; not owned), for the join page.
    void setRoomList(QAbstractItemModel *rooms);
    // Leaves this room id out of that list (the room this machine hosts).
    void setHiddenRoomId(const QString &roomId);
    void setRecentRooms(const QList<Settings::RecentRoom> &rooms);
    // Sets the host page's port (the controller's "use a free port" answer).
    void setHostPort(quint16 port);

    Page page() const;
    void setPage(Page page);
    QString errorText() const;
    // Shows a sentence about what is wrong (empty: hides it).
    void setError(const QString &sentence);
    // What is wrong with the address as typed so far (empty when nothing is).
    QString addressErrorText() const;

    RoomBrowser *roomBrowser() const { return m_browser; }
    QListWidget *recentRoomsView() const { return m_recent; }
    // The password question while it is open, else null.
    QInputDialog *passwordPrompt() const;

    void accept() override;

Q_SIGNALS:
    // The user asked for the settings dialog.
    void settingsRequested();

private:
    void updateOkButton();
    void updateAddressError();
    // Joins `url` as if typed, and accepts (asking for the password first if needed).
    void joinRoom(const QUrl &url, bool needsPassword);
    // Whether the room list says the room at `url` asks for a password.
    bool listedWithPassword(const QUrl &url) const;

    QLineEdit *m_nick;
    QTabWidget *m_tabs;
    QLineEdit *m_roomName;
    QSpinBox *m_port;
    QLineEdit *m_hostPassword;
    QCheckBox *m_encrypt;
    RoomBrowser *m_browser;
    QListWidget *m_recent;
    QLineEdit *m_address;
    QLabel *m_addressError;
    QLabel *m_error;
    QDialogButtonBox *m_buttons;
    QAbstractItemModel *m_rooms = nullptr;
    QPointer<QInputDialog> m_prompt;
    StartOptions m_base;
    StartOptions m_result;
    // A password asked for (and the URL it is for) while joining from this dialog.
    QUrl m_passwordFor;
    QString m_joinPassword;
    bool m_joinNeedsPassword = false;
};
