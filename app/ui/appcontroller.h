#pragma once

#include "app/core/roomfinder.h"
#include "app/ui/settings.h"
#include "app/ui/startoptions.h"

#include <QObject>
#include <QPointer>

#include <memory>

class CertificateTrust;
class ChatClient;
class ChatWindow;
class InviteDialog;
class QInputDialog;
class QMessageBox;
class RoomServer;
class SettingsDialog;
class StartDialog;

// The GUI's top-level wiring. Shows the start dialog (or goes straight to hosting or
// joining when the command line says so), runs the room in-process when hosting, and
// opens the chat window, which joins through ChatClient like any other member, hosting
// or not. Problems starting (a port in use, a refused nickname) are said in a sentence and
// lead back to the dialog, never to a crash or a silent exit.
//
// It also holds what outlives one room: the settings (nickname, recent rooms, window
// layout), the certificate pins of wss:// rooms (trust on first use, one store for every
// connection), and the LAN room finder behind the start dialog's room list. A room that
// refuses the password gets the question asked again; a room whose certificate changed
// gets a loud warning and the user's decision.
class AppController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppController)

public:
    explicit AppController(const StartOptions &options, QObject *parent = nullptr);
    ~AppController() override;

    // Where the start dialog listens for rooms (call before start(); tests listen on a
    // loopback port). By default, RoomFinder's defaults.
    void setRoomFinderSettings(const RoomFinder::Settings &settings);

    // Shows the start dialog or goes straight to hosting/joining. Returns false only if
    // nothing could be shown; everything after that (including the user cancelling) ends
    // in finished().
    bool start();

    // What is on screen, for tests: null when not (yet) there.
    StartDialog *startDialog() const { return m_dialog.get(); }
    ChatWindow *chatWindow() const { return m_window.get(); }
    ChatClient *client() const { return m_client.get(); }
    RoomServer *server() const { return m_server.get(); }
    RoomFinder *roomFinder() const { return m_finder.get(); }
    InviteDialog *inviteDialog() const;
    SettingsDialog *settingsDialog() const;
    QInputDialog *passwordPrompt() const;
    QMessageBox *certificateWarning() const;
    // The pins every joining window uses (QSettings, group "trustedCertificates").
    CertificateTrust *certificateTrust() const { return m_trust.get(); }
    Settings *settings() { return &m_settings; }

    // The Room menu's actions, also for tests.
    void showInviteDialog();
    void showSettingsDialog();

Q_SIGNALS:
    // The user cancelled the start dialog or left the room: the application may quit.
    void finished();

private:
    void showDialog(const StartOptions &prefill, const QString &error = {});
    void onDialogAccepted();
    void begin(const StartOptions &options);
    bool host(const StartOptions &options);
    void showHostError(const StartOptions &options, const QString &error);
    void join(const QUrl &url, const QString &nick, const QString &password, const QUrl &hostedUrl,
              CertificateTrust *trust);
    void onChatWindowClosed();
    void onClientError(const QString &code, const QString &message, bool fatal);
    void onCertificateFirstSeen(const QString &hostPort, const QString &fingerprint);
    void askPassword(const QString &reason);
    void warnCertificateChanged(const QString &message);
    void backToDialog(const QString &error);
    void saveWindowLayout();
    void tearDown();
    void finish();
    StartOptions withRemembered(StartOptions options) const;
    void remember(const StartOptions &options);

    StartOptions m_options;
    Settings m_settings;
    std::unique_ptr<CertificateTrust> m_trust;
    // The hosting window's own: pinned to the room's certificate before joining it.
    std::unique_ptr<CertificateTrust> m_hostTrust;
    RoomFinder::Settings m_finderSettings;
    std::unique_ptr<RoomFinder> m_finder;
    std::unique_ptr<StartDialog> m_dialog;
    std::unique_ptr<RoomServer> m_server;
    std::unique_ptr<ChatClient> m_client;
    std::unique_ptr<ChatWindow> m_window;
    QPointer<InviteDialog> m_invite;
    QPointer<SettingsDialog> m_settingsDialog;
    QPointer<QInputDialog> m_passwordPrompt;
    QPointer<QMessageBox> m_certificateBox;
    QString m_hostFingerprint; // the hosted room's certificate, for the invite dialog
    StartOptions m_current; // what is being done now (for asking again)
    CertificateTrust *m_clientTrust = nullptr; // the pins the current client uses
    bool m_finished = false;
};
