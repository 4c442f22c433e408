#pragma once

#include <QMainWindow>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>
#include <vector>

class ChatClient;
class ConversationFilter;
class FileSharing;
class IdleWatcher;
class MessageInput;
class MessageView;
class Notifier;
class Settings;
class QLabel;
class QLineEdit;
class QListView;
class QListWidget;
class QMenu;
class QPushButton;
class QSplitter;
class QTabWidget;
class QToolButton;

// The room: the conversation, the members beside it, and the input below. The status bar
// says how the connection is ("Connecting…", "Connected to ROOM as NICK", "Reconnecting in
// N s", "Disconnected: reason") and, when this machine hosts the room, the address others
// on the LAN should join. The window shows a ChatClient; it does not own the connection.
//
// Conversations are tabs: "Room" for the room's messages, and one per partner for direct
// messages (opened from the member list or by an incoming message). Tabs count what the
// user has not seen ("Bob (3)"), and while the window is not active, direct messages and
// mentions also go to a Notifier and the taskbar (unless muted in the settings). Under the
// tabs, a line says who is typing; above the input, a bar says what is being replied to
// or edited. A message's context menu replies, reacts, and edits or deletes the user's
// own; Ctrl+F searches the room's history and jumps to a result; File → Export writes the
// current tab to a text or HTML file. Idle for a while (no input anywhere in the program),
// the user is shown away until they are back; the Room menu sets away by hand.
// Files are shared with the 📎 button (or File → Send file…), by dropping them on the
// window, or by pasting them (a screenshot too) into the input; they go to the current
// tab's conversation. A transfer shows a progress bar with Cancel above the input. A file
// in the conversation is a card: clicking it saves it in the Downloads folder (asking
// before replacing anything), and an image's thumbnail opens the picture full size.
class ChatWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatWindow)

public:
    explicit ChatWindow(ChatClient *client, QWidget *parent = nullptr);
    ~ChatWindow() override;

    // This machine hosts the room; others join at `url`. An empty url hides the label.
    void setHostedUrl(const QUrl &url);

    ChatClient *client() const { return m_client; }
    // The room's tab.
    MessageView *messageView() const { return m_view; }
    MessageInput *input() const { return m_input; }
    QListView *memberView() const { return m_members; }
    FileSharing *files() const { return m_files; }
    // Shares files (paths) in the current tab's conversation.
    void sendFiles(const QStringList &paths);
    // What a click on a file's card does: opens an image, saves any other file.
    void activateFile(const QModelIndex &index);
    QTabWidget *tabs() const { return m_tabs; }
    QString statusText() const;
    QString hostedText() const;
    // Hooks for AppController: its actions (invite, settings) go into the Room menu, and
    // the splitter's state is remembered with the window's geometry.
    QMenu *roomMenu() const { return m_roomMenu; }
    QSplitter *splitter() const { return m_splitter; }
    // The "… is typing" line; empty (and hidden) when nobody is.
    QString typingText() const;

    // Conversations. An empty partner means the room.
    void openConversation(const QString &partner);
    void closeConversation(const QString &partner);
    MessageView *conversationView(const QString &partner) const; // null when not open
    ConversationFilter *conversationModel(const QString &partner) const;
    QString currentPartner() const;
    int unreadCount(const QString &partner) const;

    // Where notifications go; not owned. Without one, the system tray is used where there
    // is one.
    void setNotifier(Notifier *notifier) { m_notifier = notifier; }
    // Where "notifications muted" is read; not owned. Without one, the application's.
    // Where files are saved is read there too.
    void setSettings(Settings *settings);
    // How long without input before the user shows as away (default 10 minutes).
    void setIdleTimeout(int ms);
    QAction *awayAction() const { return m_awayAction; }

    // The context menu of a message row (`index` of a conversation view's model); null for
    // rows that have none (events, messages still on their way). The caller owns it.
    QMenu *createMessageMenu(const QModelIndex &index, QWidget *parent = nullptr);
    void startReply(const QModelIndex &index);
    void startEdit(const QModelIndex &index);
    void deleteMessage(const QModelIndex &index);
    void toggleReaction(const QModelIndex &index, const QString &emoji);
    // Leaves replying or editing (Esc, the bar's ✕).
    void cancelCompose();
    QString composeText() const; // "Replying to Alice: …", "Editing your message"; or empty
    bool isEditing() const { return !m_editingId.isEmpty(); }
    // Asked before deleting; a message box unless replaced (tests).
    void setConfirmation(std::function<bool(const QString &question)> confirm)
    {
        m_confirm = std::move(confirm);
    }
    static QStringList reactionEmoji();

    // Search (Ctrl+F).
    void showSearch();
    QLineEdit *searchField() const { return m_searchField; }
    QListWidget *searchResults() const { return m_searchResults; }
    // Shows the message with this id, fetching older history (a bounded number of pages)
    // until it is loaded.
    void jumpToMessage(const QString &id);

    // Writes the current tab's loaded messages: HTML for .html/.htm, text otherwise.
    bool exportConversation(const QString &path, QString *error = nullptr) const;

Q_SIGNALS:
    void closed();
    // jumpToMessage() showed the message, or gave up (found false).
    void jumpFinished(const QString &id, bool found);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct Conversation
    {
        QString partner; // empty: the room
        ConversationFilter *filter = nullptr;
        MessageView *view = nullptr;
        int unread = 0;
    };

    void updateStatus();
    void updateTitle();
    void updateTyping();
    Conversation *conversation(const QString &partner) const;
    Conversation *currentConversation() const;
    Conversation *ensureConversation(const QString &partner);
    Conversation *addConversation(const QString &partner);
    void updateTabTitle(Conversation *c);
    void markRead(Conversation *c);
    void onMessagesInserted(int first, int last);
    void onSubmitted(const QString &text);
    void onJoined();
    void notify(const QString &title, const QString &body);
    void showMessageMenu(const QModelIndex &index, const QPoint &globalPos);
    void showMemberMenu(const QPoint &pos);
    void showCompose(const QString &text);
    void tryJump();
    void exportWithDialog();
    void sendFilesWithDialog();
    void saveFileAsWithDialog(const QModelIndex &index);
    bool isSelf(const QString &nick) const;

    ChatClient *m_client;
    FileSharing *m_files;
    QSplitter *m_splitter;
    QMenu *m_roomMenu = nullptr;
    QTabWidget *m_tabs;
    MessageView *m_view; // the room's
    QListView *m_members;
    MessageInput *m_input;
    QPushButton *m_sendButton;
    QToolButton *m_attachButton;
    QLabel *m_status;
    QLabel *m_hosted;
    QLabel *m_typing;
    QWidget *m_composeBar;
    QLabel *m_composeLabel;
    QWidget *m_searchBar;
    QLineEdit *m_searchField;
    QListWidget *m_searchResults;
    QAction *m_awayAction;
    IdleWatcher *m_idle;
    std::vector<std::unique_ptr<Conversation>> m_conversations; // the room first
    QUrl m_hostedUrl;
    QString m_lastError;
    // Ticks the "Reconnecting in N s" countdown while a reconnect is scheduled.
    QTimer m_countdown;
    // Messages above this seq were not in the first welcome: new to the user. -1 before.
    qint64 m_liveFloor = -1;
    bool m_autoAway = false;
    QString m_replyToId;
    QString m_editingId;
    QString m_draft; // what was in the input before editing began
    QString m_searchQuery;
    QString m_jumpId;
    int m_jumpPagesLeft = 0;
    Notifier *m_notifier = nullptr;
    std::unique_ptr<Notifier> m_ownNotifier;
    Settings *m_settings = nullptr;
    std::unique_ptr<Settings> m_ownSettings;
    std::function<bool(const QString &)> m_confirm;
};
