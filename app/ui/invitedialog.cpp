#include "app/ui/invitedialog.h"

#include "app/ui/qrcodewidget.h"

#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QNetworkInterface>
#include <QPushButton>
#include <QVBoxLayout>

namespace {

bool isWildcard(const QHostAddress &address)
{
    return address == QHostAddress(QHostAddress::Any)
        || address == QHostAddress(QHostAddress::AnyIPv4)
        || address == QHostAddress(QHostAddress::AnyIPv6);
}

QUrl makeUrl(const QString &scheme, const QHostAddress &address, quint16 port, const QString &path)
{
    QUrl url;
    url.setScheme(scheme);
    url.setHost(address.toString());
    url.setPort(port);
    url.setPath(path);
    return url;
}

} // namespace

QList<QHostAddress> InviteDialog::reachableAddresses(const QHostAddress &bound)
{
    if (!isWildcard(bound))
        return { bound };
    QList<QHostAddress> ipv4;
    QList<QHostAddress> ipv6;
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : interfaces) {
        const auto flags = interface.flags();
        if (!flags.testFlag(QNetworkInterface::IsUp)
            || !flags.testFlag(QNetworkInterface::IsRunning)
            || flags.testFlag(QNetworkInterface::IsLoopBack))
            continue;
        const QList<QNetworkAddressEntry> entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            QHostAddress ip = entry.ip();
            if (ip.isLoopback() || ip.isNull())
                continue;
            if (ip.protocol() == QAbstractSocket::IPv4Protocol) {
                if (!ipv4.contains(ip))
                    ipv4.append(ip);
            } else if (ip.protocol() == QAbstractSocket::IPv6Protocol && !ip.isLinkLocal()) {
                ip.setScopeId({});
                // A room bound to AnyIPv4 cannot be reached over IPv6.
                if (bound != QHostAddress(QHostAddress::AnyIPv4) && !ipv6.contains(ip))
                    ipv6.append(ip);
            }
        }
    }
    if (bound == QHostAddress(QHostAddress::AnyIPv6))
        ipv4.clear();
    // IPv4 first: the shorter addresses to read out across a room.
    QList<QHostAddress> all = ipv4 + ipv6;
    if (all.isEmpty())
        all.append(bound == QHostAddress(QHostAddress::AnyIPv6)
                       ? QHostAddress(QHostAddress::LocalHostIPv6)
                       : QHostAddress(QHostAddress::LocalHost));
    return all;
}

QList<InviteDialog::Invitation> InviteDialog::invitationsFor(const QHostAddress &bound,
                                                             quint16 port, bool tls)
{
    QList<Invitation> invitations;
    const QList<QHostAddress> addresses = reachableAddresses(bound);
    for (const QHostAddress &address : addresses) {
        invitations.append(
            { address,
              makeUrl(tls ? QStringLiteral("wss") : QStringLiteral("ws"), address, port, {}),
              makeUrl(tls ? QStringLiteral("https") : QStringLiteral("http"), address, port,
                      QStringLiteral("/")) });
    }
    return invitations;
}

InviteDialog::InviteDialog(const QHostAddress &bound, quint16 port, bool tls, QWidget *parent)
    : QDialog(parent)
    , m_invitations(invitationsFor(bound, port, tls))
    , m_qrFor(new QComboBox)
    , m_qr(new QrCodeWidget)
    , m_copied(new QLabel)
    , m_fingerprint(new QLabel)
{
    setWindowTitle(tr("Invite people"));
    setObjectName(QStringLiteral("inviteDialog"));

    auto *intro = new QLabel(tr("People on your network can join with Confab at one of these "
                                "addresses, or open the browser link. Which address works "
                                "depends on the network they are on."));
    intro->setWordWrap(true);

    auto *grid = new QGridLayout;
    grid->addWidget(new QLabel(tr("In Confab")), 0, 0, 1, 2);
    grid->addWidget(new QLabel(tr("In a browser")), 0, 2, 1, 2);
    for (int i = 0; i < m_invitations.size(); ++i) {
        const Invitation &invitation = m_invitations.at(i);
        const QString links[] = { invitation.roomUrl.toString(), invitation.browserUrl.toString() };
        for (int column = 0; column < 2; ++column) {
            const QString link = links[column];
            auto *field = new QLineEdit(link);
            field->setReadOnly(true);
            field->setObjectName(column == 0 ? QStringLiteral("roomUrl%1").arg(i)
                                             : QStringLiteral("browserUrl%1").arg(i));
            field->setMinimumWidth(field->fontMetrics().horizontalAdvance(link) + 16);
            auto *button = new QPushButton(tr("Copy"));
            button->setObjectName(column == 0 ? QStringLiteral("copyRoomUrl%1").arg(i)
                                              : QStringLiteral("copyBrowserUrl%1").arg(i));
            button->setToolTip(tr("Copy %1").arg(link));
            connect(button, &QPushButton::clicked, this, [this, link] { copy(link); });
            grid->addWidget(field, i + 1, column * 2);
            grid->addWidget(button, i + 1, column * 2 + 1);
        }
        m_qrFor->addItem(invitation.browserUrl.toString());
    }

    m_qrFor->setObjectName(QStringLiteral("qrFor"));
    m_qr->setObjectName(QStringLiteral("qrCode"));
    m_qr->setToolTip(tr("Scan with a phone's camera to open the room in its browser."));
    auto *qrForm = new QFormLayout;
    qrForm->addRow(tr("&QR code for:"), m_qrFor);

    m_copied->setObjectName(QStringLiteral("copied"));
    m_fingerprint->setObjectName(QStringLiteral("fingerprint"));
    m_fingerprint->setWordWrap(true);
    m_fingerprint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fingerprint->setVisible(false);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(grid);
    layout->addLayout(qrForm);
    layout->addWidget(m_qr, 1, Qt::AlignHCenter);
    layout->addWidget(m_fingerprint);
    layout->addWidget(m_copied);
    layout->addWidget(buttons);

    connect(m_qrFor, &QComboBox::currentIndexChanged, this, &InviteDialog::showQrCodeFor);
    showQrCodeFor(0);
}

InviteDialog::~InviteDialog() = default;

void InviteDialog::showQrCodeFor(int index)
{
    if (index < 0 || index >= m_invitations.size())
        return;
    if (m_qrFor->currentIndex() != index)
        m_qrFor->setCurrentIndex(index);
    m_qr->setText(m_invitations.at(index).browserUrl.toString());
}

void InviteDialog::setCertificateFingerprint(const QString &fingerprint)
{
    m_fingerprint->setText(
        tr("The room's certificate fingerprint (what joiners see the first time): %1")
            .arg(fingerprint));
    m_fingerprint->setVisible(!fingerprint.isEmpty());
}

void InviteDialog::copy(const QString &text)
{
    QGuiApplication::clipboard()->setText(text);
    m_copied->setText(tr("Copied %1").arg(text));
}
