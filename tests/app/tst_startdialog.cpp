// StartDialog: what it hands back for hosting and joining, and the sentences it shows
// (without closing) for a bad nickname, room name or address.

#include "app/core/roomlistmodel.h"
#include "app/ui/roombrowser.h"
#include "app/ui/startdialog.h"
#include "server/roompassword.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QTimer>
#include <QTreeView>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

class TestStartDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void hostsWithTheGivenSettings();
    void joinsAnAddressAsTyped();
    void refusesBadNicknames_data();
    void refusesBadNicknames();
    void refusesAnEmptyRoomName();
    void refusesABadAddress();
    void prefillsFromOptions();
    void hostsWithPasswordAndEncryption();
    void checksTheAddressAsTyped();
    void joinsARecentRoom();
    void listsRoomsAndAsksTheirPasswordFirst();

private:
    QLineEdit *edit(const char *name) const
    {
        return m_dialog->findChild<QLineEdit *>(QLatin1String(name));
    }
    QPushButton *okButton() const
    {
        return m_dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }

    StartDialog *m_dialog = nullptr;
};

void TestStartDialog::init()
{
    m_dialog = new StartDialog;
    m_dialog->show();
}

void TestStartDialog::cleanup()
{
    delete m_dialog;
}

void TestStartDialog::hostsWithTheGivenSettings()
{
    StartOptions given;
    given.hostConfig.dataDir = QStringLiteral("/somewhere");
    m_dialog->setOptions(given);
    QCOMPARE(okButton()->text(), QStringLiteral("Host"));
    QSignalSpy accepted(m_dialog, &QDialog::accepted);
    edit("nick")->setText(QStringLiteral("alice"));
    edit("roomName")->setText(QStringLiteral("  Friday   lunch "));
    m_dialog->findChild<QSpinBox *>(QStringLiteral("port"))->setValue(0);
    QTest::mouseClick(okButton(), Qt::LeftButton);
    QCOMPARE(accepted.size(), 1);
    const StartOptions options = m_dialog->options();
    QCOMPARE(options.mode, StartOptions::Mode::Host);
    QCOMPARE(options.nick, QStringLiteral("alice"));
    QCOMPARE(options.hostConfig.roomName, QStringLiteral("Friday lunch"));
    QCOMPARE(options.hostConfig.port, quint16(0));
    QCOMPARE(options.hostConfig.dataDir, QStringLiteral("/somewhere")); // kept from the command line
}

void TestStartDialog::joinsAnAddressAsTyped()
{
    m_dialog->setPage(StartDialog::Page::Join);
    QCOMPARE(okButton()->text(), QStringLiteral("Join"));
    edit("nick")->setText(QStringLiteral("bob"));
    QTest::keyClicks(edit("address"), QStringLiteral("10.0.0.5:4000"));
    QTest::mouseClick(okButton(), Qt::LeftButton);
    QVERIFY(!m_dialog->isVisible());
    QCOMPARE(m_dialog->result(), int(QDialog::Accepted));
    QCOMPARE(m_dialog->options().mode, StartOptions::Mode::Join);
    QCOMPARE(m_dialog->options().joinUrl, QUrl(QStringLiteral("ws://10.0.0.5:4000")));
}

void TestStartDialog::refusesBadNicknames_data()
{
    QTest::addColumn<QString>("nick");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("empty") << QString() << QStringLiteral("empty");
    QTest::newRow("spaces only") << QStringLiteral("   ") << QStringLiteral("empty");
    QTest::newRow("zero-width space") << QStringLiteral("bob\u200b") << QStringLiteral("invisible");
    QTest::newRow("too long") << QStringLiteral("x").repeated(40) << QStringLiteral("32");
}

void TestStartDialog::refusesBadNicknames()
{
    QFETCH(QString, nick);
    QFETCH(QString, mentions);
    QSignalSpy accepted(m_dialog, &QDialog::accepted);
    edit("nick")->setText(nick);
    QTest::mouseClick(okButton(), Qt::LeftButton);
    QCOMPARE(accepted.size(), 0);
    QVERIFY(m_dialog->isVisible());
    QVERIFY2(m_dialog->errorText().contains(mentions), qPrintable(m_dialog->errorText()));
    // Fixing the field clears the complaint.
    QTest::keyClick(edit("nick"), Qt::Key_A);
    QVERIFY(m_dialog->errorText().isEmpty());
}

void TestStartDialog::refusesAnEmptyRoomName()
{
    edit("nick")->setText(QStringLiteral("alice"));
    edit("roomName")->clear();
    QTest::mouseClick(okButton(), Qt::LeftButton);
    QVERIFY(m_dialog->isVisible());
    QVERIFY(m_dialog->errorText().contains(QStringLiteral("name")));
}

void TestStartDialog::refusesABadAddress()
{
    m_dialog->setPage(StartDialog::Page::Join);
    edit("nick")->setText(QStringLiteral("alice"));
    QTest::mouseClick(okButton(), Qt::LeftButton);
    QVERIFY(m_dialog->isVisible());
    QVERIFY(m_dialog->errorText().contains(QStringLiteral("address")));
    edit("address")->setText(QStringLiteral("http://10.0.0.5"));
    QTest::mouseClick(okButton(), Qt::LeftButton);
    QVERIFY(m_dialog->isVisible());
    QVERIFY2(m_dialog->errorText().contains(QStringLiteral("ws://")), qPrintable(m_dialog->errorText()));
    // Switching pages starts clean.
    m_dialog->setPage(StartDialog::Page::Host);
    QVERIFY(m_dialog->errorText().isEmpty());
}

void TestStartDialog::prefillsFromOptions()
{
    StartOptions options;
    options.mode = StartOptions::Mode::Join;
    options.nick = QStringLiteral("carol");
    options.joinUrl = QUrl(QStringLiteral("ws://192.168.1.20:4000"));
    m_dialog->setOptions(options);
    m_dialog->setError(QStringLiteral("That nickname is taken."));
    QCOMPARE(m_dialog->page(), StartDialog::Page::Join);
    QCOMPARE(edit("nick")->text(), QStringLiteral("carol"));
    QCOMPARE(edit("address")->text(), QStringLiteral("ws://192.168.1.20:4000"));
    QCOMPARE(m_dialog->errorText(), QStringLiteral("That nickname is taken."));
}

void TestStartDialog::hostsWithPasswordAndEncryption()
{
    edit("nick")->setText(QStringLiteral("alice"));
    edit("roomName")->setText(QStringLiteral("Secret"));
    QCOMPARE(edit("hostPassword")->echoMode(), QLineEdit::Password);
    QTest::keyClicks(edit("hostPassword"), QStringLiteral("open sesame"));
    auto *encrypt = m_dialog->findChild<QCheckBox *>(QStringLiteral("encrypt"));
    QVERIFY(encrypt && !encrypt->isChecked());
    QTest::keyClick(encrypt, Qt::Key_Space);
    QTest::mouseClick(okButton(), Qt::LeftButton);
    QVERIFY(!m_dialog->isVisible());
    const StartOptions options = m_dialog->options();
    QCOMPARE(options.password, QStringLiteral("open sesame"));
    QVERIFY(options.hostConfig.password.isSet());
    QVERIFY(options.hostConfig.password.matches(QStringLiteral("open sesame")));
    QVERIFY(!options.hostConfig.password.matches(QStringLiteral("open")));
    QVERIFY(options.hostConfig.tlsSelfSigned);

    // No password typed: none set (and a fresh dialog starts unencrypted).
    m_dialog->setOptions(StartOptions());
    m_dialog->show();
    edit("nick")->setText(QStringLiteral("alice"));
    QTest::mouseClick(okButton(), Qt::LeftButton);
    QVERIFY(!m_dialog->options().hostConfig.password.isSet());
    QVERIFY(!m_dialog->options().hostConfig.tlsSelfSigned);
}

void TestStartDialog::checksTheAddressAsTyped()
{
    m_dialog->setPage(StartDialog::Page::Join);
    auto *error = m_dialog->findChild<QLabel *>(QStringLiteral("addressError"));
    QVERIFY(error);
    QVERIFY(!error->isVisible());
    QTest::keyClicks(edit("address"), QStringLiteral("http://10.0.0.5"));
    QVERIFY(error->isVisible());
    QVERIFY2(m_dialog->addressErrorText().contains(QStringLiteral("ws://")),
             qPrintable(m_dialog->addressErrorText()));
    edit("address")->clear();
    QVERIFY(m_dialog->addressErrorText().isEmpty());
    QVERIFY(!error->isVisible());
    QTest::keyClicks(edit("address"), QStringLiteral("10.0.0.5:4000"));
    QVERIFY(m_dialog->addressErrorText().isEmpty());
    QTest::keyClicks(edit("address"), QStringLiteral("99999"));
    QVERIFY(!m_dialog->addressErrorText().isEmpty());
}

void TestStartDialog::joinsARecentRoom()
{
    m_dialog->setRecentRooms({ { QUrl(QStringLiteral("ws://10.0.0.7:4000")), QStringLiteral("Kitchen") },
                               { QUrl(QStringLiteral("wss://10.0.0.8:26632")), QString() } });
    m_dialog->setPage(StartDialog::Page::Join);
    edit("nick")->setText(QStringLiteral("bob"));
    QListWidget *recent = m_dialog->recentRoomsView();
    QVERIFY(recent->isVisible());
    QCOMPARE(recent->count(), 2);
    QVERIFY(recent->item(0)->text().contains(QStringLiteral("Kitchen")));
    const QRect rect = recent->visualItemRect(recent->item(1));
    QTest::mouseClick(recent->viewport(), Qt::LeftButton, {}, rect.center());
    QCOMPARE(edit("address")->text(), QStringLiteral("wss://10.0.0.8:26632"));
    QTest::mouseDClick(recent->viewport(), Qt::LeftButton, {}, rect.center());
    QVERIFY(!m_dialog->isVisible());
    QCOMPARE(m_dialog->options().mode, StartOptions::Mode::Join);
    QCOMPARE(m_dialog->options().joinUrl, QUrl(QStringLiteral("wss://10.0.0.8:26632")));
}

void TestStartDialog::listsRoomsAndAsksTheirPasswordFirst()
{
    RoomListModel rooms;
    Confab::Discovery::Announcement open;
    open.roomId = QStringLiteral("room-open");
    open.room = QStringLiteral("Attic");
    open.port = 4000;
    open.members = 2;
    Confab::Discovery::Announcement locked = open;
    locked.roomId = QStringLiteral("room-locked");
    locked.room = QStringLiteral("Basement");
    locked.port = 4001;
    locked.password = true;
    locked.tls = true;
    rooms.heard(open, QHostAddress(QStringLiteral("10.0.0.9")), 0);
    rooms.heard(locked, QHostAddress(QStringLiteral("10.0.0.9")), 0);
    m_dialog->setRoomList(&rooms);
    m_dialog->setPage(StartDialog::Page::Join);
    edit("nick")->setText(QStringLiteral("bob"));

    QTreeView *view = m_dialog->roomBrowser()->view();
    QAbstractItemModel *model = view->model();
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(model->columnCount(), int(RoomBrowser::ColumnCount));
    // Sorted by name; the locked one has a lock and says wss.
    QCOMPARE(model->index(0, RoomBrowser::NameColumn).data().toString(), QStringLiteral("Attic"));
    QCOMPARE(model->index(1, RoomBrowser::NameColumn).data().toString(), QStringLiteral("Basement"));
    QVERIFY(model->index(1, RoomBrowser::NameColumn).data(Qt::DecorationRole).isValid());
    QVERIFY(!model->index(0, RoomBrowser::NameColumn).data(Qt::DecorationRole).isValid());
    QCOMPARE(model->index(1, RoomBrowser::SecurityColumn).data().toString(), QStringLiteral("wss"));
    QCOMPARE(model->index(0, RoomBrowser::MembersColumn).data().toInt(), 2);
    QCOMPARE(model->index(0, RoomBrowser::AddressColumn).data().toString(),
             QStringLiteral("10.0.0.9:4000"));
    // Live: more people, and the count follows.
    open.members = 5;
    rooms.heard(open, QHostAddress(QStringLiteral("10.0.0.9")), 10);
    QCOMPARE(model->index(0, RoomBrowser::MembersColumn).data().toInt(), 5);
    // The host's own room is not offered.
    m_dialog->setHiddenRoomId(QStringLiteral("room-open"));
    QCOMPARE(model->rowCount(), 1);
    m_dialog->setHiddenRoomId({});
    QCOMPARE(model->rowCount(), 2);

    // Double-clicking the locked room asks for its password before joining.
    const QRect rect = view->visualRect(model->index(1, RoomBrowser::NameColumn));
    // QTest's double-click is the second click only; a user's starts with a first.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    QTRY_VERIFY(m_dialog->passwordPrompt());
    QInputDialog *prompt = m_dialog->passwordPrompt();
    QCOMPARE(QApplication::activeModalWidget(), prompt);
    QCOMPARE(prompt->textEchoMode(), QLineEdit::Password);
    QVERIFY(m_dialog->isVisible());
    prompt->setTextValue(QStringLiteral("hunter2"));
    prompt->accept();
    QTRY_VERIFY(!m_dialog->isVisible());
    QCOMPARE(m_dialog->options().joinUrl, QUrl(QStringLiteral("wss://10.0.0.9:4001")));
    QCOMPARE(m_dialog->options().password, QStringLiteral("hunter2"));
    m_dialog->setRoomList(nullptr);
}

QTEST_MAIN(TestStartDialog)
#include "tst_startdialog.moc"
