#include "app/ui/startdialog.h"

#include "app/core/roomaddress.h"
#include "app/core/roomlistmodel.h"
#include "app/ui/passwordprompt.h"
#include "app/ui/roombrowser.h"
#include "common/limits.h"
#include "common/nickname.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTreeView>
#include <QVBoxLayout>

namespace {

constexpr int RecentUrlRole = Qt::UserRole + 1;

// "host:port" as RoomListModel writes it (an IPv6 address in brackets).
QString hostPortOf(const QUrl &url)
{
    const QString host = url.host();
    return (host.contains(QLatin1Char(':')) ? QLatin1Char('[') + host + QLatin1Char(']') : host)
        + QLatin1Char(':') + QString::number(url.port());
}

QLabel *errorLabel(const QString &objectName)
{
    auto *label = new QLabel;
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #c0392b;"));
    label->setVisible(false);
    return label;
}

} // namespace

StartDialog::StartDialog(QWidget *parent)
    : QDialog(parent)
    , m_nick(new QLineEdit)
    , m_tabs(new QTabWidget)
    , m_roomName(new QLineEdit)
    , m_port(new QSpinBox)
    , m_hostPassword(new QLineEdit)
    , m_encrypt(new QCheckBox(tr("&Encrypt (wss://)")))
    , m_browser(new RoomBrowser)
    , m_recent(new QListWidget)
    , m_address(new QLineEdit)
    , m_addressError(errorLabel(QStringLiteral("addressError")))
    , m_error(errorLabel(QStringLiteral("error")))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setWindowTitle(tr("Confab"));
    m_nick->setObjectName(QStringLiteral("nick"));
    m_nick->setPlaceholderText(tr("How others will see you"));
    m_nick->setMaxLength(Confab::Limits::MaxNickLength * 2); // code units; checked properly on OK

    m_roomName->setObjectName(QStringLiteral("roomName"));
    m_roomName->setMaxLength(Confab::Limits::MaxRoomNameLength);
    m_port->setObjectName(QStringLiteral("port"));
    m_port->setRange(0, 65535);
    m_port->setSpecialValueText(tr("any free port"));
    m_port->setToolTip(tr("0 picks any free port; others then need the address shown in the "
                          "chat window."));
    m_hostPassword->setObjectName(QStringLiteral("hostPassword"));
    m_hostPassword->setEchoMode(QLineEdit::Password);
    m_hostPassword->setPlaceholderText(tr("Optional: only people who know it get in"));
    m_encrypt->setObjectName(QStringLiteral("encrypt"));
    m_encrypt->setToolTip(tr("Messages travel encrypted. The room makes its own certificate; "
                             "members are asked to trust it the first time they join."));
    auto *hostPage = new QWidget;
    auto *hostForm = new QFormLayout(hostPage);
    hostForm->addRow(tr("Room &name:"), m_roomName);
    hostForm->addRow(tr("&Port:"), m_port);
    hostForm->addRow(tr("Pass&word:"), m_hostPassword);
    hostForm->addRow(QString(), m_encrypt);

    m_browser->setObjectName(QStringLiteral("roomBrowser"));
    m_recent->setObjectName(QStringLiteral("recentRooms"));
    m_recent->setMaximumHeight(m_recent->fontMetrics().height() * 6);
    m_address->setObjectName(QStringLiteral("address"));
    m_address->setPlaceholderText(
        tr("192.168.1.20 or ws://192.168.1.20:%1").arg(Confab::Protocol::DefaultPort));
    auto *joinPage = new QWidget;
    auto *joinLayout = new QVBoxLayout(joinPage);
    auto *browserLabel = new QLabel(tr("Rooms on your &network:"));
    browserLabel->setBuddy(m_browser->view());
    joinLayout->addWidget(browserLabel);
    joinLayout->addWidget(m_browser, 2);
    auto *recentLabel = new QLabel(tr("&Recent rooms:"));
    recentLabel->setObjectName(QStringLiteral("recentRoomsLabel"));
    recentLabel->setBuddy(m_recent);
    joinLayout->addWidget(recentLabel);
    joinLayout->addWidget(m_recent, 1);
    auto *joinForm = new QFormLayout;
    joinForm->addRow(tr("Room &address:"), m_address);
    joinForm->addRow(QString(), m_addressError);
    joinLayout->addLayout(joinForm);

    m_tabs->setObjectName(QStringLiteral("pages"));
    m_tabs->addTab(hostPage, tr("&Host a room"));
    m_tabs->addTab(joinPage, tr("&Join a room"));

    QPushButton *settingsButton
        = m_buttons->addButton(tr("&Settings…"), QDialogButtonBox::ActionRole);
    settingsButton->setObjectName(QStringLiteral("settingsButton"));

    auto *nickForm = new QFormLayout;
    nickForm->addRow(tr("&Nickname:"), m_nick);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(nickForm);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &StartDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &StartDialog::reject);
    connect(settingsButton, &QPushButton::clicked, this, &StartDialog::settingsRequested);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        setError({});
        updateOkButton();
    });
    // A stale complaint next to a field the user is fixing only confuses.
    for (QLineEdit *edit : { m_nick, m_roomName, m_address, m_hostPassword })
        connect(edit, &QLineEdit::textEdited, this, [this] { setError({}); });
    connect(m_port, &QSpinBox::valueChanged, this, [this] { setError({}); });
    connect(m_address, &QLineEdit::textChanged, this, &StartDialog::updateAddressError);
    connect(m_address, &QLineEdit::textEdited, this, [this] { m_joinNeedsPassword = false; });

    connect(m_browser, &RoomBrowser::roomActivated, this,
            [this](const QUrl &url, const QString &, bool needsPassword) {
                joinRoom(url, needsPassword);
            });
    // One click shows the address (to check or edit it); activating joins.
    connect(m_recent, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item)
            m_address->setText(item->data(RecentUrlRole).toUrl().toString());
    });
    connect(m_recent, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { joinRoom(item->data(RecentUrlRole).toUrl(), false); });

    setRecentRooms({});
    setOptions(StartOptions());
    resize(560, 520);
}

StartDialog::~StartDialog() = default;

void StartDialog::setOptions(const StartOptions &options)
{
    m_base = options;
    // The field holds the room's password from here on; a hash from an earlier attempt
    // must not outlive the field being cleared.
    if (!options.password.isEmpty() && options.mode == StartOptions::Mode::Host)
        m_base.hostConfig.password = RoomPassword();
    m_nick->setText(options.nick);
    m_roomName->setText(options.hostConfig.roomName);
    m_port->setValue(options.hostConfig.port);
    m_hostPassword->setText(options.mode == StartOptions::Mode::Host ? options.password
                                                                     : QString());
    // Certificate files from the command line mean encryption whatever the box says.
    const bool certificateGiven = !options.hostConfig.tlsCertFile.isEmpty();
    m_encrypt->setChecked(options.hostConfig.tlsSelfSigned || certificateGiven);
    m_encrypt->setEnabled(!certificateGiven);
    m_address->setText(options.joinUrl.isEmpty() ? QString() : options.joinUrl.toString());
    m_passwordFor = QUrl();
    m_joinPassword.clear();
    m_joinNeedsPassword = false;
    if (options.mode == StartOptions::Mode::Join && !options.password.isEmpty()) {
        m_passwordFor = options.joinUrl;
        m_joinPassword = options.password;
    }
    setPage(options.mode == StartOptions::Mode::Join ? Page::Join : Page::Host);
    setError({});
}

void StartDialog::setRoomList(QAbstractItemModel *rooms)
{
    m_rooms = rooms;
    m_browser->setRooms(rooms);
}

void StartDialog::setHiddenRoomId(const QString &roomId)
{
    m_browser->setHiddenRoomId(roomId);
}

void StartDialog::setRecentRooms(const QList<Settings::RecentRoom> &rooms)
{
    m_recent->clear();
    for (const Settings::RecentRoom &room : rooms) {
        const QString address = room.url.toString();
        auto *item = new QListWidgetItem(
            room.name.isEmpty() ? address : tr("%1 — %2").arg(room.name, address), m_recent);
        item->setData(RecentUrlRole, room.url);
        item->setToolTip(address);
    }
    m_recent->setVisible(!rooms.isEmpty());
    if (auto *label = findChild<QLabel *>(QStringLiteral("recentRoomsLabel")))
        label->setVisible(!rooms.isEmpty());
}

void StartDialog::setHostPort(quint16 port)
{
    m_port->setValue(port);
}

QInputDialog *StartDialog::passwordPrompt() const
{
    return m_prompt;
}

StartDialog::Page StartDialog::page() const
{
    return m_tabs->currentIndex() == 1 ? Page::Join : Page::Host;
}

void StartDialog::setPage(Page page)
{
    m_tabs->setCurrentIndex(page == Page::Join ? 1 : 0);
    updateOkButton();
}

QString StartDialog::errorText() const
{
    return m_error->text();
}

void StartDialog::setError(const QString &sentence)
{
    m_error->setText(sentence);
    m_error->setVisible(!sentence.isEmpty());
}

QString StartDialog::addressErrorText() const
{
    return m_addressError->text();
}

void StartDialog::updateOkButton()
{
    m_buttons->button(QDialogButtonBox::Ok)
        ->setText(page() == Page::Join ? tr("Join") : tr("Host"));
}

void StartDialog::updateAddressError()
{
    // Nothing typed is not yet a mistake.
    const QString text = m_address->text();
    const QString error = text.trimmed().isEmpty() ? QString() : RoomAddress::parse(text).error;
    m_addressError->setText(error);
    m_addressError->setVisible(!error.isEmpty());
}

void StartDialog::joinRoom(const QUrl &url, bool needsPassword)
{
    setPage(Page::Join);
    m_address->setText(url.toString());
    m_joinNeedsPassword = needsPassword;
    accept();
}

bool StartDialog::listedWithPassword(const QUrl &url) const
{
    if (!m_rooms)
        return false;
    const QString hostPort = hostPortOf(url);
    for (int row = 0; row < m_rooms->rowCount(); ++row) {
        const QModelIndex index = m_rooms->index(row, 0);
        if (!index.data(RoomListModel::PasswordRole).toBool())
            continue;
        if (index.data(RoomListModel::UrlRole).toUrl() == url
            || index.data(RoomListModel::AddressesRole).toStringList().contains(hostPort))
            return true;
    }
    return false;
}

void StartDialog::accept()
{
    if (m_prompt)
        return; // the password question is still open
    StartOptions result = m_base;
    result.password.clear();
    // Stray spaces around a typed nickname are a slip, not a choice.
    const Confab::Nickname::Checked nick = Confab::Nickname::check(m_nick->text().trimmed());
    if (!nick.ok()) {
        setError(nick.error);
        m_nick->setFocus();
        return;
    }
    result.nick = nick.nick;
    if (page() == Page::Host) {
        const QString room = m_roomName->text().simplified();
        if (room.isEmpty()) {
            setError(tr("Give the room a name, so that people know where they are."));
            m_roomName->setFocus();
            return;
        }
        result.mode = StartOptions::Mode::Host;
        result.hostConfig.roomName = room;
        result.hostConfig.port = quint16(m_port->value());
        // A password is taken as typed: spaces in it may be meant.
        result.password = m_hostPassword->text();
        if (!result.password.isEmpty())
            result.hostConfig.password = RoomPassword::fromPlainText(result.password);
        if (m_encrypt->isEnabled())
            result.hostConfig.tlsSelfSigned = m_encrypt->isChecked();
    } else {
        const RoomAddress::Parsed address = RoomAddress::parse(m_address->text());
        if (!address.ok()) {
            setError(address.error);
            m_address->setFocus();
            return;
        }
        result.mode = StartOptions::Mode::Join;
        result.joinUrl = address.url;
        if (m_passwordFor == address.url) {
            result.password = m_joinPassword;
        } else if (m_joinNeedsPassword || listedWithPassword(address.url)) {
            // Known to ask: ask now, rather than let the room refuse first.
            m_prompt = PasswordPrompt::open(
                this, tr("%1 asks for a password.").arg(address.url.toString()),
                [this, url = address.url](const QString &password) {
                    m_prompt.clear();
                    m_passwordFor = url;
                    m_joinPassword = password;
                    // After the prompt has closed, so that accept() sees no open question.
                    QMetaObject::invokeMethod(this, &StartDialog::accept, Qt::QueuedConnection);
                },
                [this] { m_prompt.clear(); });
            return;
        }
    }
    m_result = result;
    setError({});
    QDialog::accept();
}
