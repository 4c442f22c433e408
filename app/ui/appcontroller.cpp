#include "app/ui/appcontroller.h"

#include "app/core/chatclient.h"
#include "app/core/lanaddress.h"
#include "app/ui/chatwindow.h"
#include "app/ui/startdialog.h"
#include "common/nickname.h"
#include "server/roomserver.h"

#include <QMessageBox>
#include <QSettings>
#include <QTimer>

using namespace Confab::Protocol;

namespace {
const QString NickKey = QStringLiteral("nick");
const QString LastPageKey = QStringLiteral("start/lastPage");
const QString RecentRoomsKey = QStringLiteral("start/recentRooms");
constexpr int MaxRecentRooms = 10;
// How long a hosting window waits for the room to say goodbye to everyone before quitting.
constexpr int StopGraceMs = 2000;
} // namespace

AppController::AppController(const StartOptions &options, QObject *parent)
    : QObject(parent), m_options(options)
{
}

AppController::~AppController()
{
    // The window shows the client's models and the client talks to the server: tear down
    // in that order.
    m_window.reset();
    m_client.reset();
    m_server.reset();
}

bool AppController::start()
{
    const StartOptions options = withRemembered(m_options);
    if (m_options.mode == StartOptions::Mode::Ask || m_options.nick.isEmpty()) {
        showDialog(options);
        return true;
    }
    const Confab::Nickname::Checked nick = Confab::Nickname::check(m_options.nick);
    if (!nick.ok()) {
        showDialog(options, nick.error);
        return true;
    }
    StartOptions checked = m_options;
    checked.nick = nick.nick;
    begin(checked);
    return true;
}

StartOptions AppController::withRemembered(StartOptions options) const
{
    const QSettings settings;
    if (options.nick.isEmpty())
        options.nick = settings.value(NickKey).toString();
    if (options.joinUrl.isEmpty()) {
        const QStringList recent = settings.value(RecentRoomsKey).toStringList();
        if (!recent.isEmpty())
            options.joinUrl = QUrl(recent.constFirst());
    }
    if (m_options.mode == StartOptions::Mode::Ask
        && settings.value(LastPageKey).toString() == QLatin1String("join"))
        options.mode = StartOptions::Mode::Join;
    return options;
}

void AppController::remember(const StartOptions &options) const
{
    QSettings settings;
    settings.setValue(NickKey, options.nick);
    settings.setValue(LastPageKey,
                      options.mode == StartOptions::Mode::Join ? QStringLiteral("join")
                                                               : QStringLiteral("host"));
    if (options.mode == StartOptions::Mode::Join) {
        QStringList recent = settings.value(RecentRoomsKey).toStringList();
        const QString url = options.joinUrl.toString();
        recent.removeAll(url);
        recent.prepend(url);
        settings.setValue(RecentRoomsKey, recent.mid(0, MaxRecentRooms));
    }
}

void AppController::showDialog(const StartOptions &prefill, const QString &error)
{
    if (!m_dialog) {
        m_dialog = std::make_unique<StartDialog>();
        connect(m_dialog.get(), &StartDialog::accepted, this, &AppController::onDialogAccepted);
        connect(m_dialog.get(), &StartDialog::rejected, this, &AppController::finish);
    }
    m_dialog->setOptions(prefill);
    m_dialog->setError(error);
    m_dialog->show();
    m_dialog->raise();
    m_dialog->activateWindow();
}

void AppController::onDialogAccepted()
{
    const StartOptions options = m_dialog->options();
    remember(options);
    begin(options);
}

void AppController::begin(const StartOptions &options)
{
    if (options.mode == StartOptions::Mode::Host) {
        host(options);
        return;
    }
    join(options.joinUrl, options.nick, {});
}

bool AppController::host(const StartOptions &options)
{
    auto server = std::make_unique<RoomServer>(options.hostConfig);
    if (!server->start()) {
        // Back to the dialog with everything as typed, and the reason on top of it.
        showDialog(options);
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Cannot host the room"),
                                    server->errorString(), QMessageBox::Ok, m_dialog.get());
        box->setObjectName(QStringLiteral("hostError"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return false;
    }
    m_server = std::move(server);
    const QHostAddress bound = options.hostConfig.bindAddress;
    join(LanAddress::localUrl(bound, m_server->port()), options.nick,
         LanAddress::roomUrl(bound, m_server->port()));
    return true;
}

void AppController::join(const QUrl &url, const QString &nick, const QUrl &hostedUrl)
{
    m_client = std::make_unique<ChatClient>();
    connect(m_client.get(), &ChatClient::errorReceived, this, &AppController::onClientError);
    // Opened first, so that the window starts out "Connecting…" with its input enabled.
    m_client->open(url, nick);
    m_window = std::make_unique<ChatWindow>(m_client.get());
    m_window->setHostedUrl(hostedUrl);
    connect(m_window.get(), &ChatWindow::closed, this, &AppController::onChatWindowClosed);
    m_window->show();
}

void AppController::onClientError(const QString &code, const QString &message, bool fatal)
{
    // Only a refused nickname is worth another go from the dialog; other fatal errors stay
    // visible in the window's status bar.
    if (!fatal
        || (code != QLatin1String(ErrorCode::NickTaken)
            && code != QLatin1String(ErrorCode::NickInvalid)))
        return;
    StartOptions prefill = withRemembered(m_options);
    prefill.mode = StartOptions::Mode::Join;
    prefill.joinUrl = m_client->url();
    prefill.nick = m_client->nick();
    if (m_server) {
        prefill.mode = StartOptions::Mode::Host;
        prefill.hostConfig = m_server->config();
    }
    // Deleting the client inside its own signal would pull the floor from under it.
    QTimer::singleShot(0, this, [this, prefill, message] {
        tearDown();
        showDialog(prefill, message);
    });
}

void AppController::onChatWindowClosed()
{
    if (m_client)
        m_client->close();
    if (!m_server) {
        finish();
        return;
    }
    // Let the room close every member's connection properly (1001) before quitting.
    connect(m_server.get(), &RoomServer::stopped, this, &AppController::finish);
    QTimer::singleShot(StopGraceMs, this, &AppController::finish);
    m_server->stop();
}

void AppController::tearDown()
{
    if (m_window) {
        m_window->disconnect(this);
        m_window->hide();
        m_window.release()->deleteLater();
    }
    if (m_client) {
        m_client->disconnect(this);
        m_client->close();
        m_client.release()->deleteLater();
    }
    if (m_server) {
        m_server->disconnect(this);
        m_server->stop();
        m_server.reset();
    }
}

void AppController::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    Q_EMIT finished();
}
