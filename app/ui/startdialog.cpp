#include "app/ui/startdialog.h"

#include "app/core/roomaddress.h"
#include "common/limits.h"
#include "common/nickname.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

StartDialog::StartDialog(QWidget *parent)
    : QDialog(parent)
    , m_nick(new QLineEdit)
    , m_tabs(new QTabWidget)
    , m_roomName(new QLineEdit)
    , m_port(new QSpinBox)
    , m_address(new QLineEdit)
    , m_error(new QLabel)
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
    auto *hostPage = new QWidget;
    auto *hostForm = new QFormLayout(hostPage);
    hostForm->addRow(tr("Room &name:"), m_roomName);
    hostForm->addRow(tr("&Port:"), m_port);

    m_address->setObjectName(QStringLiteral("address"));
    m_address->setPlaceholderText(
        tr("192.168.1.20 or ws://192.168.1.20:%1").arg(Confab::Protocol::DefaultPort));
    auto *joinPage = new QWidget;
    auto *joinForm = new QFormLayout(joinPage);
    joinForm->addRow(tr("Room &address:"), m_address);

    m_tabs->setObjectName(QStringLiteral("pages"));
    m_tabs->addTab(hostPage, tr("&Host a room"));
    m_tabs->addTab(joinPage, tr("&Join a room"));

    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #c0392b;"));
    m_error->setVisible(false);

    auto *nickForm = new QFormLayout;
    nickForm->addRow(tr("&Nickname:"), m_nick);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(nickForm);
    layout->addWidget(m_tabs);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &StartDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &StartDialog::reject);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        setError({});
        updateOkButton();
    });
    // A stale complaint next to a field the user is fixing only confuses.
    for (QLineEdit *edit : { m_nick, m_roomName, m_address })
        connect(edit, &QLineEdit::textEdited, this, [this] { setError({}); });
    connect(m_port, &QSpinBox::valueChanged, this, [this] { setError({}); });

    setOptions(StartOptions());
    resize(420, sizeHint().height());
}

StartDialog::~StartDialog() = default;

void StartDialog::setOptions(const StartOptions &options)
{
    m_base = options;
    m_nick->setText(options.nick);
    m_roomName->setText(options.hostConfig.roomName);
    m_port->setValue(options.hostConfig.port);
    m_address->setText(options.joinUrl.isEmpty() ? QString() : options.joinUrl.toString());
    setPage(options.mode == StartOptions::Mode::Join ? Page::Join : Page::Host);
    setError({});
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

void StartDialog::updateOkButton()
{
    m_buttons->button(QDialogButtonBox::Ok)->setText(page() == Page::Join ? tr("Join")
                                                                          : tr("Host"));
}

void StartDialog::accept()
{
    StartOptions result = m_base;
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
    } else {
        const RoomAddress::Parsed address = RoomAddress::parse(m_address->text());
        if (!address.ok()) {
            setError(address.error);
            m_address->setFocus();
            return;
        }
        result.mode = StartOptions::Mode::Join;
        result.joinUrl = address.url;
    }
    m_result = result;
    setError({});
    QDialog::accept();
}
