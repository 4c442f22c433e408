// MemberModel: passes QAbstractItemModelTester, sorted case-insensitively, one row per person
// however the nickname is cased.
#include "common/membermodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using Confab::Protocol::Member;

class TestMemberModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addRemoveSorted()
    {
        MemberModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setMembers({ Member { QStringLiteral("carol") }, Member { QStringLiteral("Alice") } });
        model.addMember(Member { QStringLiteral("Bob") });
        model.addMember(Member { QStringLiteral("BOB") }); // same person
        model.addMember(Member { QStringLiteral("민수") });
        QCOMPARE(model.nicks(), (QStringList { QStringLiteral("Alice"), QStringLiteral("Bob"),
                                               QStringLiteral("carol"), QStringLiteral("민수") }));
        model.removeMember(QStringLiteral("alice"));
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(!model.contains(QStringLiteral("Alice")));
        model.setSelf(QStringLiteral("carol"));
        QVERIFY(model.index(1).data(MemberModel::IsSelfRole).toBool());
        QVERIFY(!model.index(0).data(MemberModel::IsSelfRole).toBool());
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestMemberModel)
#include "tst_membermodel.moc"
