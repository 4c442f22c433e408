#include "app/ui/appcontroller.h"

#include "app/core/certificatetrust.h"
#include "app/core/chatclient.h"
#include "app/core/lanaddress.h"
#include "app/core/roomlistmodel.h"
#include "app/ui/chatwindow.h"
#include "app/ui/invitedialog.h"
#include "app/ui/passwordprompt.h"
#include "app/ui/settingsdialog.h"
#include "app/ui/startdialog.h"
#include "common/messagemodel.h"
#include "common/nickname.h"
#include "server/beacon.h"
#include "server/roomserver.h"
#include "server/tlsidentity.h"

#include <QAction>
#include <QInputDialog>
#include <QLoggingCategory>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QSslCertificate>
#include <QStatusBar>
#include <QTcpServer>
#include <QTimer>

using namespace Confab::Protocol;

namespace {

Q_LOGGING_CATEGORY(lcUi, "confab.ui")

// How long a hosting window waits for the room to say goodbye to everyone before quitting.
constexpr int StopGraceMs = 2000;
// How far above a taken port to look for a free one to suggest.
constexpr int PortSearchSpan = 100;
const QLatin1String CertificateChanged("certificate-changed");

QUrl withScheme(QUrl url, const QString &scheme)
{
    url.setScheme(scheme);
    return url;
}

// The first port above config.port that is free on config.bindAddress, or 0 when
// config.port is not taken at all (the room failed for another reason) or none is free.
quint16 freePortAbove(const ServerConfig &config, bool *taken)
{
    *taken = false;
    if (config.port == 0)
        return 0;
    QTcpServer probe;
    if (probe.listen(config.bindAddress, config.port)
        || probe.serverError() != QAbstractSocket::AddressInUseError)
        return 0;
    *taken = true;
    for (int port = config.port + 1; port <= 65535 && port <= config.port + PortSearchSpan;
         ++port) {
        QTcpServer candidate;
        if (candidate.listen(config.bindAddress, quint16(port)))
            return quint16(port);
    }
    return 0;
}

// The certificate a room hosted with `config` presents, read from where RoomServer keeps
// it; null when it cannot be read (the host's own window then trusts it on first use,
// which over loopback to a port this process holds is no risk).
QSslCertificate ownCertificate(const ServerConfig &config)
{
    if (!config.tlsCertFile.isEmpty())
        return QSslCertificate::fromPath(config.tlsCertFile).value(0);
    const QString dataDir
        = config.dataDir.isEmpty() ? RoomServer::defaultDataDir() : config.dataDir;
    return QSslCertificate::fromPath(TlsIdentity::selfSignedCertPath(dataDir)).value(0);
}

} // namespace

AppController::AppController(const StartOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
    , m_trust(std::make_unique<CertificateTrust>(CertificateTrust::settingsStore()))
{ }

AppController::~AppController()
{
    if (m_window)
        saveWindowLayout();
    // The window shows the client's models and the client talks to the server: tear down
    // in that order.
    m_window.reset();
    m_client.reset();
    m_server.reset();
}

InviteDialog *AppController::inviteDialog() const
{
    return m_invite;
}

SettingsDialog *AppController::settingsDialog() const
{
    return m_settingsDialog;
}

QInputDialog *AppController::passwordPrompt() const
{
    return m_passwordPrompt;
}

QMessageBox *AppController::certificateWarning() const
{
    return m_certificateBox;
}

void AppController::setRoomFinderSettings(const RoomFinder::Settings &settings)
{
    m_finderSettings = settings;
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
    if (options.nick.isEmpty())
        options.nick = m_settings.nick();
    if (options.joinUrl.isEmpty()) {
        const QList<Settings::RecentRoom> recent = m_settings.recentRooms();
        if (!recent.isEmpty())
            options.joinUrl = recent.constFirst().url;
    }
    if (m_options.mode == StartOptions::Mode::Ask && m_settings.lastPage() == QLatin1String("join"))
        options.mode = StartOptions::Mode::Join;
    return options;
}

void AppController::remember(const StartOptions &options)
{
    m_settings.setNick(options.nick);
    m_settings.setLastPage(options.mode == StartOptions::Mode::Join ? QStringLiteral("join")
                                                                    : QStringLiteral("host"));
}

void AppController::showDialog(const StartOptions &prefill, const QString &error)
{
    if (!m_dialog) {
        m_dialog = std::make_unique<StartDialog>();
        connect(m_dialog.get(), &StartDialog::accepted, this, &AppController::onDialogAccepted);
        connect(m_dialog.get(), &StartDialog::rejected, this, &AppController::finish);
        connect(m_dialog.get(), &StartDialog::settingsRequested, this,
                &AppController::showSettingsDialog);
    }
    if (!m_finder) {
        m_finder = std::make_unique<RoomFinder>(m_finderSettings);
        // Without the list, rooms can still be joined by address.
        if (!m_finder->start())
            qCWarning(lcUi).noquote() << "not listening for rooms:" << m_finder->errorString();
    }
    m_dialog->setRoomList(m_finder->rooms());
    m_dialog->setHiddenRoomId(m_server && m_server->beacon() ? m_server->beacon()->roomId()
                                                             : QString());
    m_dialog->setRecentRooms(m_settings.recentRooms());
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
    m_current = options;
    if (options.mode == StartOptions::Mode::Host) {
        host(options);
        return;
    }
    join(options.joinUrl, options.nick, options.password, {}, m_trust.get());
}

bool AppController::host(const StartOptions &options)
{
    auto server = std::make_unique<RoomServer>(options.hostConfig);
    if (!server->start()) {
        showHostError(options, server->errorString());
        return false;
    }
    m_server = std::move(server);
    const QHostAddress bound = options.hostConfig.bindAddress;
    const QString scheme = m_server->url().scheme();
    const QUrl local = withScheme(LanAddress::localUrl(bound, m_server->port()), scheme);
    // The window joins its own room like any member, over wss:// too; it knows the
    // certificate it should see, so it pins that one instead of trusting on first use.
    m_hostTrust = std::make_unique<CertificateTrust>(CertificateTrust::memoryStore());
    m_hostFingerprint.clear();
    if (scheme == QLatin1String("wss")) {
        const QSslCertificate certificate = ownCertificate(options.hostConfig);
        if (!certificate.isNull()) {
            m_hostTrust->remember(CertificateTrust::hostPort(local), certificate);
            m_hostFingerprint = CertificateTrust::fingerprint(certificate);
        }
    }
    join(local, options.nick, options.password,
         withScheme(LanAddress::roomUrl(bound, m_server->port()), scheme), m_hostTrust.get());
    return true;
}

void AppController::showHostError(const StartOptions &options, const QString &error)
{
    // Back to the dialog with everything as typed, and the reason on top of it.
    showDialog(options);
    bool taken = false;
    const quint16 suggestion = freePortAbove(options.hostConfig, &taken);
    QString text = error;
    if (taken) {
        text = suggestion ? tr("Port %1 is in use — try %2, or 0 for any free port.")
                                .arg(options.hostConfig.port)
                                .arg(suggestion)
                          : tr("Port %1 is in use — choose another, or 0 for any free port.")
                                .arg(options.hostConfig.port);
    }
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Cannot host the room"), text,
                                QMessageBox::NoButton, m_dialog.get());
    box->setObjectName(QStringLiteral("hostError"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (taken) {
        // One click to go on hosting, on a port that is free now.
        const auto hostOn = [this](quint16 port) {
            m_dialog->setHostPort(port);
            m_dialog->accept();
        };
        if (suggestion) {
            QPushButton *use
                = box->addButton(tr("Host on port %1").arg(suggestion), QMessageBox::AcceptRole);
            use->setObjectName(QStringLiteral("useSuggestedPort"));
            connect(use, &QPushButton::clicked, this, [hostOn, suggestion] { hostOn(suggestion); });
        }
        QPushButton *any = box->addButton(tr("Host on any free port"), QMessageBox::AcceptRole);
        any->setObjectName(QStringLiteral("useAnyPort"));
        connect(any, &QPushButton::clicked, this, [hostOn] { hostOn(0); });
        box->addButton(QMessageBox::Cancel);
    } else {
        box->addButton(QMessageBox::Ok);
    }
    box->open();
}

void AppController::join(const QUrl &url, const QString &nick, const QString &password,
                         const QUrl &hostedUrl, CertificateTrust *trust)
{
    m_client = std::make_unique<ChatClient>();
    m_clientTrust = trust;
    m_client->setPassword(password);
    m_client->setCertificateTrust(trust);
    connect(m_client.get(), &ChatClient::errorReceived, this, &AppController::onClientError);
    connect(m_client.get(), &ChatClient::certificateFirstSeen, this,
            &AppController::onCertificateFirstSeen);
    if (hostedUrl.isEmpty()) {
        // Remembered once it answered, under the name it gave: a mistyped address that
        // never connects should not fill the list.
        connect(m_client.get(), &ChatClient::joined, this,
                [this] { m_settings.addRecentRoom(m_client->url(), m_client->roomName()); });
    }
    // Opened first, so that the window starts out "Connecting…" with its input enabled.
    m_client->open(url, nick);
    m_window = std::make_unique<ChatWindow>(m_client.get());
    m_window->setHostedUrl(hostedUrl);
    // "Mute notifications" is read from the same settings the settings dialog writes.
    m_window->setSettings(&m_settings);
    const QByteArray geometry = m_settings.chatWindowGeometry();
    if (!geometry.isEmpty())
        m_window->restoreGeometry(geometry);
    const QByteArray splitterState = m_settings.chatSplitterState();
    if (!splitterState.isEmpty() && m_window->splitter())
        m_window->splitter()->restoreState(splitterState);

    QMenu *menu = m_window->roomMenu();
    if (!menu)
        menu = m_window->menuBar()->addMenu(tr("&Room"));
    QAction *first = menu->actions().value(0);
    if (!hostedUrl.isEmpty()) {
        auto *invite = new QAction(tr("&Invite people…"), menu);
        invite->setObjectName(QStringLiteral("inviteAction"));
        connect(invite, &QAction::triggered, this, &AppController::showInviteDialog);
        menu->insertAction(first, invite);
    }
    auto *settings = new QAction(tr("&Settings…"), menu);
    settings->setObjectName(QStringLiteral("settingsAction"));
    settings->setMenuRole(QAction::PreferencesRole);
    connect(settings, &QAction::triggered, this, &AppController::showSettingsDialog);
    menu->insertAction(first, settings);
    if (first)
        menu->insertSeparator(first);

    connect(m_window.get(), &ChatWindow::closed, this, &AppController::onChatWindowClosed);
    m_window->show();
}

void AppController::showInviteDialog()
{
    if (!m_server || !m_window)
        return;
    if (!m_invite) {
        m_invite
            = new InviteDialog(m_server->config().bindAddress, m_server->port(),
                               m_server->url().scheme() == QLatin1String("wss"), m_window.get());
        m_invite->setAttribute(Qt::WA_DeleteOnClose);
        m_invite->setCertificateFingerprint(m_hostFingerprint);
    }
    m_invite->show();
    m_invite->raise();
    m_invite->activateWindow();
}

void AppController::showSettingsDialog()
{
    if (m_settingsDialog) {
        m_settingsDialog->raise();
        m_settingsDialog->activateWindow();
        return;
    }
    QWidget *parent = m_window ? static_cast<QWidget *>(m_window.get()) : m_dialog.get();
    m_settingsDialog = new SettingsDialog(&m_settings, parent);
    m_settingsDialog->setAttribute(Qt::WA_DeleteOnClose);
    m_settingsDialog->open();
}

void AppController::onClientError(const QString &code, const QString &message, bool fatal)
{
    if (!fatal)
        return;
    if (code == QLatin1String(ErrorCode::BadPassword)) {
        askPassword(message);
        return;
    }
    if (code == CertificateChanged) {
        warnCertificateChanged(message);
        return;
    }
    // A refused nickname is worth another go from the dialog; other fatal errors stay
    // visible in the window's status bar.
    if (code != QLatin1String(ErrorCode::NickTaken)
        && code != QLatin1String(ErrorCode::NickInvalid))
        return;
    backToDialog(message);
}

void AppController::backToDialog(const QString &error)
{
    StartOptions prefill = withRemembered(m_current);
    if (m_client) {
        prefill.nick = m_client->nick();
        if (!m_server) {
            prefill.mode = StartOptions::Mode::Join;
            prefill.joinUrl = m_client->url();
        }
    }
    if (m_server) {
        prefill.mode = StartOptions::Mode::Host;
        prefill.hostConfig = m_server->config();
    }
    // Deleting the client inside its own signal would pull the floor from under it.
    QTimer::singleShot(0, this, [this, prefill, error] {
        tearDown();
        showDialog(prefill, error);
    });
}

void AppController::onCertificateFirstSeen(const QString &hostPort, const QString &fingerprint)
{
    // Not a question: the connection goes on. The fingerprint stays in the conversation,
    // for whoever wants to compare it with the host's (the host's Invite dialog shows it).
    const QString text = tr("First visit to %1 over wss://: its certificate (fingerprint %2) "
                            "is now remembered. If it ever changes, Confab will refuse to "
                            "connect and ask you.")
                             .arg(hostPort, fingerprint);
    if (m_client)
        m_client->messages()->addEvent(MessageModel::Kind::Info, text, now());
    if (m_window)
        m_window->statusBar()->showMessage(
            tr("Trusting the certificate of %1 from now on").arg(hostPort), 10000);
}

void AppController::askPassword(const QString &reason)
{
    if (!m_client || m_passwordPrompt)
        return;
    const QString room = m_client->url().toString();
    const QString label = m_current.password.isEmpty()
        ? tr("The room at %1 asks for a password.").arg(room)
        : tr("The room at %1 did not accept that password (%2). Try again:").arg(room, reason);
    m_passwordPrompt = PasswordPrompt::open(
        m_window.get(), label,
        [this](const QString &password) {
            if (!m_client)
                return;
            m_current.password = password;
            m_client->setPassword(password);
            m_client->open(m_client->url(), m_client->nick());
        },
        [this, reason] { backToDialog(reason); });
}

void AppController::warnCertificateChanged(const QString &message)
{
    if (!m_client || !m_clientTrust || m_certificateBox)
        return;
    const QUrl url = m_client->url();
    const QString hostPort = CertificateTrust::hostPort(url);
    const QString known = m_clientTrust->knownFingerprint(hostPort);
    // ChatClient names both fingerprints in its sentence; they are the one part of it that
    // no translation changes.
    static const QRegularExpression fingerprintPattern(
        QStringLiteral("[0-9A-F]{2}(?::[0-9A-F]{2}){31}"));
    QString seen;
    for (const QRegularExpressionMatch &match : fingerprintPattern.globalMatch(message)) {
        if (match.captured() != known)
            seen = match.captured();
    }
    auto *box = new QMessageBox(
        QMessageBox::Critical, tr("The room's certificate has changed"),
        tr("The room at %1 presented a different certificate from the one it had when you "
           "last joined, so Confab did not connect. Another machine on the network may be "
           "posing as the room — or the host made a new certificate.\n\n"
           "Remembered: %2\nPresented now: %3\n\n"
           "Ask the host which fingerprint their room shows (Room ▸ Invite people) before "
           "trusting the new one.")
            .arg(hostPort, known, seen.isEmpty() ? tr("(not known)") : seen),
        QMessageBox::NoButton, m_window.get());
    box->setObjectName(QStringLiteral("certificateChanged"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDetailedText(message);
    QPushButton *keep = box->addButton(tr("Keep refusing"), QMessageBox::RejectRole);
    keep->setObjectName(QStringLiteral("keepRefusing"));
    QPushButton *trust = box->addButton(tr("Trust the new certificate"), QMessageBox::AcceptRole);
    trust->setObjectName(QStringLiteral("trustNewCertificate"));
    box->setDefaultButton(keep);
    box->setEscapeButton(keep);
    connect(trust, &QPushButton::clicked, this, [this, hostPort] {
        if (!m_client || !m_clientTrust)
            return;
        // The next handshake is a first use again: pinned, and said in the conversation.
        m_clientTrust->forget(hostPort);
        m_client->open(m_client->url(), m_client->nick());
    });
    m_certificateBox = box;
    box->open();
}

void AppController::saveWindowLayout()
{
    m_settings.setChatWindowGeometry(m_window->saveGeometry());
    if (m_window->splitter())
        m_settings.setChatSplitterState(m_window->splitter()->saveState());
}

void AppController::onChatWindowClosed()
{
    saveWindowLayout();
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
        saveWindowLayout();
        m_window->disconnect(this);
        m_window->hide();
        m_window.release()->deleteLater();
    }
    if (m_client) {
        m_client->disconnect(this);
        m_client->close();
        m_client.release()->deleteLater();
    }
    m_clientTrust = nullptr;
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
    if (m_finder)
        m_finder->stop();
    Q_EMIT finished();
}
