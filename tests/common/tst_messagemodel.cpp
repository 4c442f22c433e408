// MessageModel: passes QAbstractItemModelTester; keeps chat rows in seq order whatever order
// they arrive in; never shows a seq twice; pending rows become messages on ack or stay,
// marked failed, on refusal.
#include "common/messagemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using Confab::Protocol::ChatMessage;

class TestMessageModel : public QObject
{
    Q_OBJECT

private:
    static ChatMessage msg(qint64 seq, const QString &text = {})
    {
        return ChatMessage { QStringLiteral("id%1").arg(seq), seq, QStringLiteral("Alice"),
                             QDateTime::currentDateTimeUtc(),
                             text.isEmpty() ? QStringLiteral("m%1").arg(seq) : text, {}, {}, false,
                             false, {} };
    }
    static QList<qint64> chatSeqs(const MessageModel &model)
    {
        QList<qint64> seqs;
        for (int i = 0; i < model.rowCount(); ++i) {
            const QModelIndex index = model.index(i);
            if (index.data(MessageModel::KindRole).value<MessageModel::Kind>() == MessageModel::Kind::Chat
                && index.data(MessageModel::StatusRole).value<MessageModel::Status>()
                    == MessageModel::Status::Delivered)
                seqs.append(index.data(MessageModel::SeqRole).toLongLong());
        }
        return seqs;
    }

private Q_SLOTS:
    void orderAndDuplicates()
    {
        MessageModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addMessages({ msg(5), msg(6), msg(7) });
        model.addMessage(msg(9));
        model.addMessages({ msg(2), msg(3), msg(4) }); // an older page
        model.addMessage(msg(8)); // a gap filled late
        model.addMessages({ msg(6), msg(7), msg(9), msg(9) }); // resume overlap
        QCOMPARE(chatSeqs(model), (QList<qint64> { 2, 3, 4, 5, 6, 7, 8, 9 }));
        QCOMPARE(model.firstSeq(), 2);
        QCOMPARE(model.lastSeq(), 9);
        QCOMPARE(model.chatCount(), 8);
    }

    void olderPageIsOneInsert()
    {
        MessageModel model;
        model.addMessages({ msg(101), msg(102) });
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QList<ChatMessage> page;
        for (int i = 1; i <= 100; ++i)
            page.append(msg(i));
        model.addMessages(page);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 99);
    }

    void updateInPlace()
    {
        MessageModel model;
        model.addMessage(msg(1, QStringLiteral("before")));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.addMessage(msg(1, QStringLiteral("after")));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.index(0).data(MessageModel::TextRole).toString(), QStringLiteral("after"));
    }

    void eventsStayWhereTheyHappened()
    {
        MessageModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addMessages({ msg(1), msg(2) });
        model.addEvent(MessageModel::Kind::Joined, QStringLiteral("Bob joined."), QDateTime::currentDateTimeUtc());
        model.addMessage(msg(3));
        model.addMessages({ msg(0) });
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(3).data(MessageModel::KindRole).value<MessageModel::Kind>(),
                 MessageModel::Kind::Joined);
        QCOMPARE(model.index(4).data(MessageModel::SeqRole).toLongLong(), 3);
        QCOMPARE(chatSeqs(model), (QList<qint64> { 0, 1, 2, 3 }));
    }

    void pendingThenAcked()
    {
        MessageModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.addMessage(msg(1));
        model.addPending(QStringLiteral("c1"), QStringLiteral("Me"), QStringLiteral("mine"),
                         QDateTime::currentDateTimeUtc());
        QCOMPARE(model.pendingCount(), 1);
        QCOMPARE(model.index(1).data(MessageModel::StatusRole).value<MessageModel::Status>(),
                 MessageModel::Status::Sending);
        model.addMessage(msg(2)); // someone else's message lands before the ack: above ours
        QCOMPARE(model.index(2).data(MessageModel::ClientIdRole).toString(), QStringLiteral("c1"));
        model.acknowledge(QStringLiteral("c1"), QStringLiteral("id3"), 3);
        QCOMPARE(model.pendingCount(), 0);
        QCOMPARE(chatSeqs(model), (QList<qint64> { 1, 2, 3 }));
        // The broadcast of our own message then arrives: no duplicate.
        ChatMessage echo = msg(3, QStringLiteral("mine"));
        echo.from = QStringLiteral("Me");
        model.addMessage(echo);
        QCOMPARE(model.rowCount(), 3);
    }

    void pendingFailed()
    {
        MessageModel model;
        model.addPending(QStringLiteral("c1"), QStringLiteral("Me"), QStringLiteral("x"),
                         QDateTime::currentDateTimeUtc());
        model.fail(QStringLiteral("c1"), QStringLiteral("too long"));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0).data(MessageModel::StatusRole).value<MessageModel::Status>(),
                 MessageModel::Status::Failed);
        QCOMPARE(model.index(0).data(MessageModel::ErrorRole).toString(), QStringLiteral("too long"));
    }

    void hundredThousand()
    {
        MessageModel model;
        QList<ChatMessage> batch;
        for (int i = 1; i <= 100000; ++i)
            batch.append(msg(i));
        model.addMessages(batch);
        QCOMPARE(model.rowCount(), 100000);
        QCOMPARE(model.lastSeq(), 100000);
        QVERIFY(model.containsSeq(50000));
    }
};

QTEST_GUILESS_MAIN(TestMessageModel)
#include "tst_messagemodel.moc"
