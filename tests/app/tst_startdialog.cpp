// StartDialog: what it hands back for hosting and joining, and the sentences it shows
// (without closing) for a bad nickname, room name or address.

#include "app/ui/startdialog.h"

#include <QDialogButtonBox>
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

QTEST_MAIN(TestStartDialog)
#include "tst_startdialog.moc"
