#pragma once

#include <QMainWindow>
#include <QTimer>
#include <QUrl>

class ChatClient;
class MessageInput;
class MessageView;
class QLabel;
class QListView;
class QPushButton;
class QSplitter;

// The room: the conversation, the members beside it, and the input below. The status bar
// says how the connection is ("Connecting…", "Connected to ROOM as NICK", "Reconnecting in
// N s", "Disconnected: reason") and, when this machine hosts the room, the address others
// on the LAN should join. The window shows a ChatClient; it does not own the connection.
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
    MessageView *messageView() const { return m_view; }
    MessageInput *input() const { return m_input; }
    QListView *memberView() const { return m_members; }
    QString statusText() const;
    QString hostedText() const;

Q_SIGNALS:
    void closed();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void updateStatus();
    void updateTitle();

    ChatClient *m_client;
    QSplitter *m_splitter;
    MessageView *m_view;
    QListView *m_members;
    MessageInput *m_input;
    QPushButton *m_sendButton;
    QLabel *m_status;
    QLabel *m_hosted;
    QUrl m_hostedUrl;
    QString m_lastError;
    // Ticks the "Reconnecting in N s" countdown while a reconnect is scheduled.
    QTimer m_countdown;
};
