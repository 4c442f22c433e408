#pragma once

#include "app/ui/startoptions.h"

#include <QObject>
#include <QPointer>

#include <memory>

class ChatClient;
class ChatWindow;
class RoomServer;
class StartDialog;

// The GUI's top-level wiring. Shows the start dialog (or goes straight to hosting or
// joining when the command line says so), runs the room in-process when hosting, and
// opens the chat window, which joins through ChatClient like any other member, hosting
// or not. Problems starting (a port in use, a refused nickname) are said in a sentence and
// lead back to the dialog, never to a crash or a silent exit.
class AppController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppController)

public:
    explicit AppController(const StartOptions &options, QObject *parent = nullptr);
    ~AppController() override;

    // Shows the start dialog or goes straight to hosting/joining. Returns false only if
    // nothing could be shown; everything after that (including the user cancelling) ends
    // in finished().
    bool start();

    // What is on screen, for tests: null when not (yet) there.
    StartDialog *startDialog() const { return m_dialog.get(); }
    ChatWindow *chatWindow() const { return m_window.get(); }
    ChatClient *client() const { return m_client.get(); }
    RoomServer *server() const { return m_server.get(); }

Q_SIGNALS:
    // The user cancelled the start dialog or left the room: the application may quit.
    void finished();

private:
    void showDialog(const StartOptions &prefill, const QString &error = {});
    void onDialogAccepted();
    void begin(const StartOptions &options);
    bool host(const StartOptions &options);
    void join(const QUrl &url, const QString &nick, const QUrl &hostedUrl);
    void onChatWindowClosed();
    void onClientError(const QString &code, const QString &message, bool fatal);
    void tearDown();
    void finish();
    StartOptions withRemembered(StartOptions options) const;
    void remember(const StartOptions &options) const;

    StartOptions m_options;
    std::unique_ptr<StartDialog> m_dialog;
    std::unique_ptr<RoomServer> m_server;
    std::unique_ptr<ChatClient> m_client;
    std::unique_ptr<ChatWindow> m_window;
    bool m_finished = false;
};
