// The transparency report (issue 13): every figure is computed from the
// public log, and the page says from which checkpoint. Each chart has its
// table beside it; the chart is a picture of the table, hidden from screen
// readers, which read the table.
import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import { Anchor, Card, Code, Container, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { QueryState } from '../../components/States';
import { TableScroll } from '../../components/TableScroll';
import { usePublicAgencies } from './publicApi';
import { DEMAND_LABEL, type Figure, agenciesIn, months, percent, share, total, useReport } from './reportData';

const OUTCOMES = ['approved', 'narrowed', 'rejected'] as const;
const DEMANDS = ['warrant', 'subpoena', 'court_order', 'preservation', 'emergency'] as const;

function Stat({ label, value, hint }: { label: string; value: ReactNode; hint?: string }) {
  return (
    <Card withBorder>
      <Text size="sm">{label}</Text>
      <Text fz={28} fw={700}>{value}</Text>
      {hint && <Text size="xs">{hint}</Text>}
    </Card>
  );
}

/** A chart and the table it draws, side by side (stacked on a narrow screen). */
function ChartWithTable({ title, chart, table }: { title: string; chart: ReactNode; table: ReactNode }) {
  return (
    <section aria-label={title}>
      <Title order={2} size="h3" mb="xs">{title}</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <div aria-hidden="true">{chart}</div>
        <TableScroll minWidth={360} label={title}>{table}</TableScroll>
      </SimpleGrid>
    </section>
  );
}

function ByMonth({ f }: { f: Figure[] }) {
  const data = months(f).map((month) => ({
    month, content: total(f, 'content_disclosures', { month }), nonContent: total(f, 'non_content_disclosures', { month }),
    emergencies: total(f, 'emergency_disclosures', { month }), requests: total(f, 'requests_sent', { month }),
  }));
  return (
    <ChartWithTable
      title="Disclosures by month"
      chart={<BarChart h={260} data={data} dataKey="month" type="stacked" barChartProps={{ accessibilityLayer: false }} withLegend
        series={[{ name: 'content', label: 'Clips (video)', color: 'indigo.6' }, { name: 'nonContent', label: 'Records only (no video)', color: 'teal.6' }]} />}
      table={
        <Table>
          <Table.Caption>Clips disclosed as video and as records only, emergencies and community requests, per month (UTC)</Table.Caption>
          <Table.Thead><Table.Tr><Table.Th>Month</Table.Th><Table.Th>Clips (video)</Table.Th><Table.Th>Records only</Table.Th><Table.Th>Emergencies</Table.Th><Table.Th>Requests sent</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {data.map((d) => <Table.Tr key={d.month}><Table.Td>{d.month}</Table.Td><Table.Td>{d.content}</Table.Td><Table.Td>{d.nonContent}</Table.Td><Table.Td>{d.emergencies}</Table.Td><Table.Td>{d.requests}</Table.Td></Table.Tr>)}
          </Table.Tbody>
        </Table>
      }
    />
  );
}

function ByOutcome({ f }: { f: Figure[] }) {
  const data = DEMANDS.map((demand) => ({
    demand: DEMAND_LABEL[demand], ...(Object.fromEntries(OUTCOMES.map((o) => [o, total(f, 'decisions', { demand, outcome: o })])) as Record<(typeof OUTCOMES)[number], number>),
  }));
  return (
    <ChartWithTable
      title="Decisions on legal process and emergencies"
      chart={<BarChart h={260} data={data} dataKey="demand" type="stacked" barChartProps={{ accessibilityLayer: false }} withLegend
        series={[{ name: 'approved', color: 'green.7' }, { name: 'narrowed', color: 'yellow.7' }, { name: 'rejected', color: 'red.7' }]} />}
      table={
        <Table>
          <Table.Caption>Reviewers' decisions by kind of demand and outcome</Table.Caption>
          <Table.Thead><Table.Tr><Table.Th>Demand</Table.Th>{OUTCOMES.map((o) => <Table.Th key={o}>{o[0].toUpperCase() + o.slice(1)}</Table.Th>)}</Table.Tr></Table.Thead>
          <Table.Tbody>
            {data.map((d) => <Table.Tr key={d.demand}><Table.Td>{d.demand}</Table.Td>{OUTCOMES.map((o) => <Table.Td key={o}>{d[o]}</Table.Td>)}</Table.Tr>)}
          </Table.Tbody>
        </Table>
      }
    />
  );
}

function ByAgency({ f, names }: { f: Figure[]; names: Map<string, string> }) {
  return (
    <section aria-label="By agency">
      <Title order={2} size="h3" mb="xs">By agency</Title>
      <TableScroll minWidth={820} label="By agency">
        <Table>
          <Table.Caption>Each agency's requests, the homes they reached and that shared, clips disclosed, and emergencies without follow-up legal process</Table.Caption>
          <Table.Thead><Table.Tr>
            <Table.Th>Agency</Table.Th><Table.Th>Requests sent</Table.Th><Table.Th>Homes reached</Table.Th><Table.Th>Homes that shared</Table.Th>
            <Table.Th>Clips (video)</Table.Th><Table.Th>Records only</Table.Th><Table.Th>Emergencies</Table.Th><Table.Th>Without follow-up</Table.Th>
          </Table.Tr></Table.Thead>
          <Table.Tbody>
            {agenciesIn(f).map((agency) => (
              <Table.Tr key={agency}>
                <Table.Td>{names.get(agency) ?? agency}</Table.Td>
                <Table.Td>{total(f, 'requests_sent', { agency })}</Table.Td>
                <Table.Td>{total(f, 'homes_reached', { agency })}</Table.Td>
                <Table.Td>{percent(share(f, { agency }))}</Table.Td>
                <Table.Td>{total(f, 'content_disclosures', { agency })}</Table.Td>
                <Table.Td>{total(f, 'non_content_disclosures', { agency })}</Table.Td>
                <Table.Td>{total(f, 'emergency_disclosures', { agency })}</Table.Td>
                <Table.Td>{total(f, 'emergency_no_follow_up', { agency })}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </TableScroll>
    </section>
  );
}

export default function TransparencyPage() {
  const report = useReport();
  const agencies = usePublicAgencies();
  const names = new Map((agencies.data ?? []).map((a) => [a.id, a.name]));
  return (
    <Container size="lg">
      <Title order={1}>Transparency report</Title>
      <Text mt="xs" mb="md">
        Every figure here is counted from the public disclosure log, not from our own records, so anyone can recount it with
        {' '}<Code>porchlight report recount --url {window.location.origin}</Code>. The figures never name a person or an address.
      </Text>
      <QueryState q={report}>
        {(r) => {
          const f = r.figures;
          const emergencies = total(f, 'emergency_disclosures');
          return (
            <Stack gap="xl">
              <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
                <Stat label="Clips disclosed as video" value={total(f, 'content_disclosures')} hint="consent, warrant, emergency" />
                <Stat label="Clips disclosed as records only" value={total(f, 'non_content_disclosures')} hint="subpoena, court order" />
                <Stat label="Emergency disclosures" value={emergencies} hint={`${total(f, 'emergency_follow_ups')} followed by legal process, ${total(f, 'emergency_no_follow_up')} without after 7 days`} />
                <Stat label="Owners notified" value={total(f, 'owners_notified')} />
                <Stat label="Community requests sent" value={total(f, 'requests_sent')} hint={`to ${total(f, 'homes_reached')} homes`} />
                <Stat label="Reached homes that shared" value={percent(share(f))} />
                <Stat label="Demands rejected or narrowed" value={total(f, 'decisions', { outcome: 'rejected' }) + total(f, 'decisions', { outcome: 'narrowed' })} hint={`of ${total(f, 'decisions')} decided`} />
                <Stat label="Refused: end-to-end encrypted" value={total(f, 'e2ee_refusals')} hint="clips no one but their owner can open" />
              </SimpleGrid>
              <ByMonth f={f} />
              <ByOutcome f={f} />
              <ByAgency f={f} names={names} />
              <section aria-label="Where these figures come from">
                <Title order={2} size="h3" mb="xs">Where these figures come from</Title>
                <Text>Computed from log entries 0 to {Math.max(0, r.log.size - 1)} ({r.log.size} entries) of the tree signed in this checkpoint:</Text>
                <Code block className="mono" data-testid="report-checkpoint" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{r.log.checkpoint}</Code>
                <Group mt="xs">
                  <Anchor href="/transparency/report.json">The figures as JSON</Anchor>
                  <Anchor href="/transparency/report.csv">as CSV</Anchor>
                  <Anchor href="/public/log">Browse and verify the log</Anchor>
                </Group>
              </section>
            </Stack>
          );
        }}
      </QueryState>
    </Container>
  );
}
